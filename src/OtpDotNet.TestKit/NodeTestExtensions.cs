using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.TestKit;

/// <summary>
/// Expectations on a plain <see cref="Node"/>: run code as a process, wait for a process to exit, for a supervisor's
/// child to be restarted, for a supervisor's children to settle. They wait on events (monitors, replies), never on
/// sleeps; the timeout (the settings' <see cref="TestKitSettings.DefaultTimeout"/> when none is given, dilated) is only a
/// safety net, and passing it throws <see cref="TestKitAssertionException"/>.
/// </summary>
public static class NodeTestExtensions
{
    /// <summary>
    /// Runs <paramref name="body"/> as a new process and completes with what it returns, or throws what it throws: the
    /// way to test code that must run inside a process (receive, links, trap_exit).
    /// </summary>
    /// <exception cref="TestKitAssertionException">The body did not complete within the timeout (the process is killed).</exception>
    public static async Task<T> RunAsync<T>(this Node node, Func<ProcessContext, Task<T>> body, SpawnOptions? options = null, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(body);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = node.Spawn(async ctx =>
        {
            try
            {
                done.TrySetResult(await body(ctx).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
                throw;
            }
        }, options);
        try
        {
            return await done.Task.WaitAsync(t, s.Clock).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (!done.Task.IsCompleted)
        {
            node.Exit(pid, ExitReason.Kill);
            throw new TestKitAssertionException($"RunAsync: the process {pid} did not complete within {Describe.Duration(t)}", ex);
        }
    }

    /// <summary>As <see cref="RunAsync{T}"/>, for a body without a result.</summary>
    public static Task RunAsync(this Node node, Func<ProcessContext, Task> body, SpawnOptions? options = null, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return node.RunAsync(async ctx =>
        {
            await body(ctx).ConfigureAwait(false);
            return true;
        }, options, timeout, settings);
    }

    /// <summary>Spawns a process that takes messages and does nothing else until it is told to exit: an idle partner to link to or monitor.</summary>
    public static Pid SpawnIdle(this Node node, SpawnOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Spawn(async ctx =>
        {
            while (true) await ctx.ReceiveAsync().ConfigureAwait(false);
        }, options);
    }

    /// <summary>
    /// Waits for <paramref name="pid"/> to exit and returns its exit reason (monitor-based; a process that has already
    /// exited gives its actual reason). When it returns, the process's links and monitors have been signalled.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The process is still alive at the timeout, or exited with another reason than <paramref name="reason"/>.</exception>
    public static async Task<ExitReason> ExpectExitAsync(this Node node, Pid pid, ExitReason? reason = null, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        using var giveUp = t == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(t, s.Clock);
        ExitReason actual;
        try
        {
            // Cancelling the wait removes its monitor: nothing is left on a process that outlives the expectation.
            actual = await node.WaitForExitAsync(pid, giveUp.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (giveUp.IsCancellationRequested)
        {
            throw new TestKitAssertionException($"ExpectExitAsync: {Describe.Process(node, pid)} did not exit within {Describe.Duration(t)}", ex);
        }
        if (reason is not null && actual != reason) throw new TestKitAssertionException($"ExpectExitAsync: {pid} exited with reason {actual}, expected {reason}.");
        return actual;
    }

    /// <summary>
    /// Waits for the supervisor to restart the child <paramref name="childId"/> whose process was
    /// <paramref name="oldPid"/>, and returns the new pid. Event-based: it waits for <paramref name="oldPid"/>'s exit
    /// (whose EXIT signal is then queued at the supervisor before anything sent after), then asks
    /// <c>which_children</c>, again only while the supervisor reports the child as restarting (a failed restart it
    /// retries). Call it before or after ending the old process.
    /// </summary>
    /// <exception cref="TestKitAssertionException">
    /// The old process does not exit in time; the child is not restarted (temporary, transient after a normal exit,
    /// ignored); the supervisor exits first; or the whole wait takes longer than the timeout.
    /// </exception>
    public static Task<Pid> ExpectRestartAsync(this Node node, ServerRef supervisor, ChildId childId, Pid oldPid, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        return Bounded(s, t, $"ExpectRestartAsync: the child {Describe.Message(childId)} of {supervisor} ({oldPid}) was not restarted", async ct =>
        {
            await node.WaitForExitAsync(oldPid, ct).ConfigureAwait(false);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var children = await WhichChildrenAsync(supervisor, "ExpectRestartAsync").ConfigureAwait(false);
                var child = children.FirstOrDefault(c => c.Id == childId)
                    ?? throw new TestKitAssertionException($"ExpectRestartAsync: {supervisor} has no child {Describe.Message(childId)} after {oldPid} exited (a temporary child is removed, not restarted); its children: {Ids(children)}.");
                if (!child.Pid.IsUndefined && child.Pid != oldPid) return child.Pid;
                if (child.Pid.IsUndefined && !child.Restarting)
                {
                    throw new TestKitAssertionException($"ExpectRestartAsync: the child {Describe.Message(childId)} of {supervisor} was not restarted after {oldPid} exited with {await node.WaitForExitAsync(oldPid, ct).ConfigureAwait(false)}: it has no process (a transient child that exited normally, or a restart that returned ignore).");
                }
                // Restarting: the supervisor retries through its own mailbox; the next answer comes after that retry.
            }
        });
    }

    /// <summary>
    /// Waits until the supervisor's children have settled: none is restarting and every listed pid is alive (children
    /// without a process, e.g. ignored or terminated ones, count as settled). Returns <c>which_children</c> at that point.
    /// Event-based: for a dead child it waits for that exit (whose EXIT is then queued at the supervisor before the next
    /// question), for a restarting one it asks again after the supervisor's retry. With <paramref name="recursive"/>,
    /// child supervisors settle too. A process told to exit may look alive for a moment: after ending children, wait
    /// for their exits (<see cref="ExpectExitAsync"/>) before asking whether the rest has settled.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The supervisor exits, or the children do not settle within the timeout.</exception>
    public static Task<IReadOnlyList<ChildInfo>> ExpectChildrenSettledAsync(this Node node, ServerRef supervisor, bool recursive = false, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        return Bounded(s, t, $"ExpectChildrenSettledAsync: the children of {supervisor} did not settle", ct => SettleAsync(node, supervisor, recursive, ct));
    }

    /// <summary>
    /// A safety net for a task that should complete promptly (never a sleep): completes as <paramref name="task"/> does,
    /// or throws <see cref="TestKitAssertionException"/> once the timeout (default <see cref="TestKitSettings.DefaultTimeout"/>, dilated) passes.
    /// </summary>
    public static async Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        try
        {
            return await task.WaitAsync(t, s.Clock).ConfigureAwait(false);
        }
        catch (TimeoutException ex) when (!task.IsCompleted)
        {
            throw new TestKitAssertionException($"the task did not complete within {Describe.Duration(t)}", ex);
        }
    }

    /// <summary>As <see cref="Within{T}(Task{T}, TimeSpan?, TestKitSettings?)"/>, for a task without a result.</summary>
    public static Task Within(this Task task, TimeSpan? timeout = null, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        return WithResult(task).Within(timeout, settings);

        static async Task<bool> WithResult(Task t)
        {
            await t.ConfigureAwait(false);
            return true;
        }
    }

    private static async Task<IReadOnlyList<ChildInfo>> SettleAsync(Node node, ServerRef supervisor, bool recursive, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var children = await WhichChildrenAsync(supervisor, "ExpectChildrenSettledAsync").ConfigureAwait(false);
            var dead = children.Where(c => !c.Pid.IsUndefined && !node.IsAlive(c.Pid)).Select(c => c.Pid).ToArray();
            if (dead.Length == 0 && !children.Any(c => c.Restarting))
            {
                if (!recursive) return children;
                var nested = children.Where(c => c.Type == ChildType.Supervisor && !c.Pid.IsUndefined).ToArray();
                foreach (var sup in nested) await SettleAsync(node, sup.Pid, recursive: true, ct).ConfigureAwait(false);
                // A nested supervisor that gave up while settling is restarted (or not) by this one: look again.
                if (nested.All(c => node.IsAlive(c.Pid))) return children;
                continue;
            }
            foreach (var pid in dead) await node.WaitForExitAsync(pid, ct).ConfigureAwait(false);
        }
    }

    private static async Task<IReadOnlyList<ChildInfo>> WhichChildrenAsync(ServerRef supervisor, string operation)
    {
        try
        {
            return await Supervisor.WhichChildrenAsync(supervisor).ConfigureAwait(false);
        }
        catch (CallException ex)
        {
            throw new TestKitAssertionException($"{operation}: the supervisor {supervisor} did not answer which_children: {ex.CallReason}.", ex);
        }
    }

    /// <summary>Runs <paramref name="body"/> with a token cancelled at the timeout: nothing of the wait (monitors, questions) outlives it.</summary>
    private static async Task<T> Bounded<T>(TestKitSettings settings, TimeSpan timeout, string failure, Func<CancellationToken, Task<T>> body)
    {
        using var giveUp = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, settings.Clock);
        try
        {
            return await body(giveUp.Token).WaitAsync(giveUp.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (giveUp.IsCancellationRequested)
        {
            throw new TestKitAssertionException($"{failure} within {Describe.Duration(timeout)}.", ex);
        }
    }

    private static string Ids(IReadOnlyList<ChildInfo> children) =>
        children.Count == 0 ? "none" : string.Join(", ", children.Select(c => Describe.Message(c.Id)));
}
