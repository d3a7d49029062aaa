using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tasks;

/// <summary>
/// Elixir's <c>Task.Supervisor</c> (D2), built on <see cref="DynamicSupervisor"/>: children are temporary with a
/// 5000 ms shutdown; <c>async_nolink</c> gives a task the caller monitors but is not linked to.
/// </summary>
public static class TaskSupervisor
{
    /// <summary>Starts a task supervisor linked to the caller.</summary>
    public static Task<StartResult> StartLinkAsync(Node node, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        DynamicSupervisor.StartLinkAsync(node, new DynamicSupervisorOptions(), options, cancellationToken);

    /// <summary><c>Task.Supervisor.start_child</c>: runs <paramref name="work"/> as a supervised, temporary child.</summary>
    public static Task<StartResult> StartChildAsync(ServerRef supervisor, Func<CancellationToken, Task> work, CancellationToken cancellationToken = default) =>
        DynamicSupervisor.StartChildAsync(supervisor, Spec(async ctx => await work(ctx.CancellationToken).ConfigureAwait(false)), cancellationToken: cancellationToken);

    /// <summary>
    /// <c>Task.Supervisor.async_nolink</c>: a supervised task whose result goes to the caller, which monitors it but is
    /// not linked to it; await it with <see cref="OtpTask.AwaitAsync"/> or <see cref="OtpTask.YieldAsync"/>.
    /// </summary>
    public static async Task<TaskRef> AsyncNoLinkAsync(ServerRef supervisor, Func<CancellationToken, Task<object?>> work, CancellationToken cancellationToken = default)
    {
        var owner = ProcessContext.CurrentProcess ?? throw new InvalidOperationException("Task.Supervisor.async_nolink must be called from inside a process");
        var r = new Ref();
        var ownerPid = owner.Self;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await DynamicSupervisor.StartChildAsync(supervisor, Spec(async ctx =>
        {
            await go.Task.ConfigureAwait(false);
            var value = await work(ctx.CancellationToken).ConfigureAwait(false);
            ctx.Send(ownerPid, new TaskReply(r, value));
        }), cancellationToken: cancellationToken).ConfigureAwait(false);
        var pid = result.GetPidOrThrow();
        OtpTask.MonitorWith(owner, pid, r);
        go.SetResult(); // the monitor exists before the work runs
        return new TaskRef(pid, ownerPid, r);
    }

    private static ChildSpec Spec(Func<ProcessContext, Task> body) =>
        new(Atom.Of("Task"), node => Task.FromResult(StartResult.Ok(node.Spawn(body, new SpawnOptions { Link = true }))))
        {
            Restart = RestartType.Temporary,
            Shutdown = Shutdown.Timeout(5000),
        };
}
