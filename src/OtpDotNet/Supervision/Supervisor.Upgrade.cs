using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// What a release upgrade does around a supervisor's code change (<c>{update, Sup, supervisor}</c>, R9, R11): read the
/// diff the change left, start the added children (R11.3) and stop and delete the removed ones (R11.4), and undo the
/// starts. Each helper reports one result per id, in the diff's order, and goes on after a failure.
/// </summary>
public abstract partial class Supervisor
{
    /// <summary>What the last code change of <paramref name="supervisor"/> did to its children, or null if none ran.</summary>
    internal static async Task<SupervisorChange?> LastChangeAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        (SupervisorChange?)await Call(supervisor, SupervisorRequests.LastChange, "last_change", timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// R11.3: <c>restart_child</c> for each id the last code change added (<c>{apply, {supervisor, restart_child, [Sup, Id]}}</c>):
    /// <c>{ok, Pid}</c>, <c>{ok, undefined}</c>, or an error such as <c>{error, running}</c> for one already started.
    /// </summary>
    internal static async Task<IReadOnlyList<(ChildId Id, StartResult Result)>> StartAddedChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var change = await LastChangeAsync(supervisor, timeout, cancellationToken).ConfigureAwait(false);
        var results = new List<(ChildId, StartResult)>();
        foreach (var id in change?.Added ?? [])
        {
            results.Add((id, await RestartChildAsync(supervisor, id, timeout, cancellationToken).ConfigureAwait(false)));
        }
        return results;
    }

    /// <summary>
    /// R11.4: <c>terminate_child</c> then <c>delete_child</c> for each id the last code change removed from the specs:
    /// <c>ok</c> once it is stopped and gone (also when it already was), otherwise the failing step's error.
    /// </summary>
    internal static async Task<IReadOnlyList<(ChildId Id, SupervisorResult Result)>> RemoveDroppedChildrenAsync(ServerRef supervisor, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var change = await LastChangeAsync(supervisor, timeout, cancellationToken).ConfigureAwait(false);
        return await StopAndDeleteAsync(supervisor, change?.Removed ?? [], timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Undoes <see cref="StartAddedChildrenAsync"/> for the children it started (<paramref name="ids"/>): each is stopped and
    /// deleted, as <see cref="RemoveDroppedChildrenAsync"/> does.
    /// </summary>
    internal static Task<IReadOnlyList<(ChildId Id, SupervisorResult Result)>> StopAddedChildrenAsync(ServerRef supervisor, IEnumerable<ChildId> ids, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        StopAndDeleteAsync(supervisor, ids ?? throw new ArgumentNullException(nameof(ids)), timeout, cancellationToken);

    private static async Task<IReadOnlyList<(ChildId Id, SupervisorResult Result)>> StopAndDeleteAsync(ServerRef supervisor, IEnumerable<ChildId> ids, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var results = new List<(ChildId, SupervisorResult)>();
        foreach (var id in ids.ToArray())
        {
            var stopped = await TerminateChildAsync(supervisor, id, timeout, cancellationToken).ConfigureAwait(false);
            if (!stopped.IsOk)
            {
                results.Add((id, stopped));
                continue;
            }
            // A temporary child's spec goes with terminate_child (U14): not_found then means it is gone already.
            var deleted = await DeleteChildAsync(supervisor, id, timeout, cancellationToken).ConfigureAwait(false);
            results.Add((id, deleted.IsOk || IsNotFound(deleted) ? SupervisorResult.Ok : deleted));
        }
        return results;
    }

    private static bool IsNotFound(SupervisorResult result) =>
        result.Term is TermTuple { Length: 2 } t && t[1] is Atom { Name: "not_found" };
}
