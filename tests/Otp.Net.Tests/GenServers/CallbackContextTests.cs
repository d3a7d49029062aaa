using System.Globalization;
using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// What a callback leaves behind, and how a call's task ends, on the synchronous paths of the server loop and the
/// caller's wait: as on the asynchronous ones.
/// </summary>
public sealed class CallbackContextTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private static readonly AsyncLocal<object?> Local = new();

    /// <summary>A server whose callbacks complete at once, and set an AsyncLocal (and the culture) as ordinary code may.</summary>
    private sealed class AmbientServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            switch (request)
            {
                case "culture":
                {
                    var before = CultureInfo.CurrentCulture.Name;
                    CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
                    return Reply(before, state);
                }
                case "continue":
                    return Reply("ok", state, ServerAction.Continue("c"));
                case "ignore":
                    return NoReply(state);
                case "hold":
                {
                    var held = new byte[1000];
                    Held = new WeakReference(held);
                    Local.Value = held;
                    return Reply("ok", state);
                }
                default:
                {
                    var before = Local.Value;
                    Local.Value = request;
                    return Reply(before, state);
                }
            }
        }

        public override ValueTask<ServerResult<int>> HandleContinueAsync(object continueArg, int state, CancellationToken cancellationToken)
        {
            Local.Value = "set by continue";
            return NoReply(state);
        }

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) => NoReply(state);
    }

    [Fact] // a callback that completes at once ends its AsyncLocal changes, as one that completes later does
    public async Task SyncCallback_AsyncLocalChange_DoesNotLeakIntoTheNextCallback()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "first")).Should().BeNull();
        (await GenServer.CallAsync(pid, "second")).Should().BeNull("the first callback's AsyncLocal value should not be seen by the second");
    }

    [Fact] // the current culture is part of the execution context
    public async Task SyncCallback_CultureChange_DoesNotLeakIntoTheNextCallback()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        var first = await GenServer.CallAsync(pid, "culture");
        (await GenServer.CallAsync(pid, "culture")).Should().Be(first, "the culture set by the previous callback should not persist");
    }

    [Fact] // the same for handle_continue, which the loop calls directly
    public async Task SyncContinue_AsyncLocalChange_DoesNotLeakIntoTheNextCallback()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "continue")).Should().Be("ok");
        (await GenServer.CallAsync(pid, "probe")).Should().BeNull("the continue callback's AsyncLocal value should not be seen by the next callback");
    }

    [Fact] // a call whose token is already cancelled returns a task that is already cancelled, as an async method would
    public async Task Call_WithAlreadyCancelledToken_ReturnsACancelledTask()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        var call = GenServer.CallAsync(pid, "ignore", Timeout.InfiniteTimeSpan, new CancellationToken(true));
        var status = call.Status;
        await FluentActions.Awaiting(() => call).Should().ThrowAsync<OperationCanceledException>();
        status.Should().Be(TaskStatus.Canceled);
    }

    private static WeakReference? Held;

    [Fact] // an object a callback put in an AsyncLocal (an old module version's, say) is not kept reachable by the idle server's loop
    public async Task SyncCallback_AsyncLocalValue_IsNotKeptAliveByTheIdleServer()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "hold")).Should().Be("ok");
        for (var i = 0; i < 20 && Held!.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(10);
        }
        Held!.IsAlive.Should().BeFalse("the callback's execution context should end with the callback");
    }

    [Fact] // an idle server holds no message (it could be an object of a version being unloaded)
    public async Task IdleServer_DoesNotKeepItsLastMessageAlive()
    {
        var pid = (await GenServer.StartAsync(_node, new AmbientServer())).GetPidOrThrow();
        var weak = CastGarbage(pid);
        (await GenServer.CallAsync(pid, "x")).Should().BeNull();
        for (var i = 0; i < 20 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(10);
        }
        weak.IsAlive.Should().BeFalse();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CastGarbage(Pid pid)
    {
        var payload = new byte[1000];
        GenServer.Cast(pid, payload);
        return new WeakReference(payload);
    }
}
