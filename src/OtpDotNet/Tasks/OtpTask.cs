using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tasks;

/// <summary>
/// Elixir's <c>Task</c> (D2) on Otp.Net processes: <c>async</c> links the task to the caller and monitors it;
/// <c>await</c>, <c>await_many</c>, <c>yield</c> and <c>shutdown</c> with Elixir's results and exit reasons.
/// All of them must be called from inside a process (the owner). Their <c>CancellationToken</c> ends the owner's wait
/// early with an <see cref="OperationCanceledException"/>; what that leaves behind is said on each method.
/// </summary>
public static class OtpTask
{
    /// <summary>The default await timeout, 5 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private static LocalProcess Caller(string function) =>
        ProcessContext.CurrentProcess ?? throw new InvalidOperationException($"Task.{function} must be called from inside a process");

    /// <summary><c>Task.async</c>: runs <paramref name="work"/> in a new process linked to the caller and monitored by it.</summary>
    public static TaskRef Async(Func<CancellationToken, Task<object?>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var owner = Caller("async");
        var r = new Ref();
        var ownerPid = owner.Self;
        var pid = owner.Node.Spawn(async ctx =>
        {
            var value = await work(ctx.CancellationToken).ConfigureAwait(false);
            ctx.Send(ownerPid, new TaskReply(r, value));
        }, new SpawnOptions { Link = true, StartSuspended = true });
        var monitor = MonitorWith(owner, pid, r);
        owner.Node.StartSuspended(pid);
        return new TaskRef(pid, ownerPid, monitor);
    }

    /// <summary>Monitors <paramref name="pid"/> from <paramref name="owner"/> under the given reference (so the reply and the DOWN share it).</summary>
    internal static Ref MonitorWith(LocalProcess owner, Pid pid, Ref r) => owner.MonitorWithRef(pid, r);

    /// <summary>
    /// <c>Task.await(task, timeout)</c>: the task's result. If the task dies, the caller exits with
    /// <c>{Reason, {Task, await, [Task, Timeout]}}</c> (unless the link killed it first); on timeout with
    /// <c>{timeout, {Task, await, [Task, Timeout]}}</c>, leaving the task running. Only the owner may await.
    /// Cancelling <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/> and, unlike a timeout,
    /// does not exit the caller: the task keeps running, linked and monitored, and can be awaited again.
    /// </summary>
    public static async Task<object?> AwaitAsync(TaskRef task, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var owner = Caller("await");
        if (owner.Self != task.Owner) throw new ArgumentException($"task {task.Pid} must be awaited by its owner {task.Owner}, not {owner.Self}");
        var t = timeout ?? DefaultTimeout;
        var args = new TermList(task, GenServer.TimeoutTerm(t));
        var message = await ReceiveAsync(owner, m => Matches(m, task.Ref), t, cancellationToken).ConfigureAwait(false);
        switch (message)
        {
            case TaskReply reply:
                owner.Demonitor(task.Ref, flush: true);
                return reply.Value;
            case DownMessage down:
                throw CallException.For(down.Reason, "Elixir.Task", "await", args);
            default:
                throw CallException.For(CallException.Timeout, "Elixir.Task", "await", args);
        }
    }

    private static bool Matches(object m, Ref r) => m is TaskReply tr ? tr.Ref == r : m is DownMessage d && d.Ref == r;

    /// <summary>
    /// A selective receive that <paramref name="cancellationToken"/> can end: cancelling delivers a private marker the
    /// receive also matches, and the marker is taken out of the mailbox again if the receive ended otherwise.
    /// </summary>
    private static async Task<object?> ReceiveAsync(LocalProcess owner, Func<object, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled) return await owner.ReceiveAsync(match, timeout).ConfigureAwait(false);
        var marker = new CancelledWait();
        object? message;
        var registration = cancellationToken.Register(static state =>
        {
            var (process, m) = ((LocalProcess, CancelledWait))state!;
            process.Deliver(m);
        }, (owner, marker));
        try
        {
            message = await owner.ReceiveAsync(m => ReferenceEquals(m, marker) || match(m), timeout).ConfigureAwait(false);
        }
        finally
        {
            // After this, the marker is either queued or never will be.
            await registration.DisposeAsync().ConfigureAwait(false);
        }
        if (ReferenceEquals(message, marker)) throw new OperationCanceledException(cancellationToken);
        if (cancellationToken.IsCancellationRequested) owner.RemoveFirstQueued(m => ReferenceEquals(m, marker));
        return message;
    }

    /// <summary>The message that ends a cancelled wait; private to one receive.</summary>
    private sealed class CancelledWait;

    /// <summary>
    /// <c>Task.await_many(tasks, timeout)</c>: results in input order under one overall deadline; a dying task exits
    /// the caller with its reason; timeout exits with <c>{timeout, {Task, await_many, [Tasks, Timeout]}}</c>.
    /// Cancelling <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>: the tasks that have
    /// not replied yet keep running, linked and monitored; those that replied are done (their results are lost).
    /// </summary>
    public static async Task<IReadOnlyList<object?>> AwaitManyAsync(IReadOnlyList<TaskRef> tasks, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var owner = Caller("await_many");
        foreach (var task in tasks)
        {
            if (owner.Self != task.Owner) throw new ArgumentException($"task {task.Pid} must be awaited by its owner {task.Owner}");
        }
        var t = timeout ?? DefaultTimeout;
        var clock = owner.Node.TimeProvider;
        var start = clock.GetTimestamp();
        var results = new object?[tasks.Count];
        var pending = new Dictionary<Ref, int>();
        for (var i = 0; i < tasks.Count; i++) pending[tasks[i].Ref] = i;
        var args = new TermList(new TermList(tasks.Cast<object?>().ToArray()), GenServer.TimeoutTerm(t));
        while (pending.Count > 0)
        {
            var left = t == Timeout.InfiniteTimeSpan ? t : t - clock.GetElapsedTime(start);
            if (left < TimeSpan.Zero) left = TimeSpan.Zero;
            var message = await ReceiveAsync(owner, m => (m is TaskReply tr && pending.ContainsKey(tr.Ref)) || (m is DownMessage d && pending.ContainsKey(d.Ref)), left, cancellationToken).ConfigureAwait(false);
            switch (message)
            {
                case TaskReply reply:
                    results[pending[reply.Ref]] = reply.Value;
                    pending.Remove(reply.Ref);
                    owner.Demonitor(reply.Ref, flush: true);
                    break;
                case DownMessage down:
                    throw CallException.For(down.Reason, "Elixir.Task", "await_many", args);
                default:
                    throw CallException.For(CallException.Timeout, "Elixir.Task", "await_many", args);
            }
        }
        return results;
    }

    /// <summary>
    /// <c>Task.yield(task, timeout)</c>: <c>{ok, Result}</c>, <c>{exit, Reason}</c>, or null (<c>nil</c>) if still running.
    /// Cancelling <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>; the task keeps running.
    /// </summary>
    public static async Task<TaskOutcome?> YieldAsync(TaskRef task, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var owner = Caller("yield");
        var message = await ReceiveAsync(owner, m => Matches(m, task.Ref), timeout ?? DefaultTimeout, cancellationToken).ConfigureAwait(false);
        return message switch
        {
            TaskReply reply => Done(owner, task, reply),
            DownMessage down => new TaskOutcome(false, null, down.Reason),
            _ => null,
        };
    }

    private static TaskOutcome Done(LocalProcess owner, TaskRef task, TaskReply reply)
    {
        owner.Demonitor(task.Ref, flush: true);
        return new TaskOutcome(true, reply.Value, null);
    }

    /// <summary>
    /// <c>Task.shutdown(task, timeout | brutal_kill)</c>: unlinks and stops the task (<c>shutdown</c>, then <c>kill</c> after
    /// <paramref name="timeout"/>; null means brutal_kill). Returns the result if it arrived first, <c>{exit, Reason}</c> if the
    /// task died otherwise, or null. A token already cancelled throws <see cref="OperationCanceledException"/> before
    /// anything is done; cancelling it during the wait for <paramref name="timeout"/> kills the task at once (as
    /// <c>brutal_kill</c>), drops its monitor and any reply, and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<TaskOutcome?> ShutdownAsync(TaskRef task, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var owner = Caller("shutdown");
        cancellationToken.ThrowIfCancellationRequested();
        owner.Unlink(task.Pid);
        owner.RemoveFirstQueued(m => m is ExitMessage e && e.From == task.Pid);
        owner.Exit(task.Pid, timeout is null ? ExitReason.Kill : ExitReason.Shutdown);
        object? message;
        try
        {
            message = await ReceiveAsync(owner, m => Matches(m, task.Ref), timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            owner.Exit(task.Pid, ExitReason.Kill);
            owner.Demonitor(task.Ref, flush: true);
            owner.RemoveFirstQueued(m => m is TaskReply tr && tr.Ref == task.Ref);
            throw;
        }
        if (message is null)
        {
            owner.Exit(task.Pid, ExitReason.Kill);
            message = await owner.ReceiveAsync(m => Matches(m, task.Ref)).ConfigureAwait(false);
        }
        return message switch
        {
            TaskReply reply => Done(owner, task, reply),
            DownMessage { Reason.Kind: ExitReasonKind.Shutdown or ExitReasonKind.Killed } => null,
            DownMessage down => new TaskOutcome(false, null, down.Reason),
            _ => null,
        };
    }
}
