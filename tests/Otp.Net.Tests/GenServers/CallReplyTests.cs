using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// The one-shot reply token: a reader never sees it completed without its result, and once completed and consumed
/// it keeps neither the reply nor the waiter's continuation alive.
/// </summary>
public sealed class CallReplyTests
{
    [Fact] // G7
    public void IsCompleted_SeenByAConcurrentReader_AlwaysComesWithTheResult()
    {
        const int count = 100_000;
        var tokens = new CallReply[count];
        var values = new object[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = new CallReply(default);
            values[i] = (i % 3) switch { 0 => CallReply.TimedOut, 1 => CallReply.Down, _ => new object() };
        }
        // The writer completes each token while the reader is spinning on it, so the two meet inside the completion.
        var readerAt = -1;
        var writer = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var wait = default(SpinWait);
                while (Volatile.Read(ref readerAt) < i) wait.SpinOnce(sleep1Threshold: -1);
                if (ReferenceEquals(values[i], CallReply.Down)) tokens[i].OnProcessDown(R("gone"));
                else tokens[i].TryReply(values[i]);
            }
        }) { IsBackground = true };
        writer.Start();

        var wrong = 0;
        var lostFailure = 0;
        for (var i = 0; i < count; i++)
        {
            Volatile.Write(ref readerAt, i);
            var spinner = default(SpinWait);
            while (!tokens[i].IsCompleted) spinner.SpinOnce(sleep1Threshold: -1);
            var result = tokens[i].TakeResult();
            if (!ReferenceEquals(result, values[i])) wrong++;
            else if (ReferenceEquals(result, CallReply.Down) && tokens[i].Failure is null) lostFailure++;
        }
        writer.Join(Patience).Should().BeTrue();
        wrong.Should().Be(0, "a completed token carries its result");
        lostFailure.Should().Be(0, "a token completed by the server's death carries the exit reason");
    }

    [Fact]
    public async Task CompletedToken_RetainsNeitherReplyNorContinuation()
    {
        var token = new CallReply(default);
        var (reply, continuationState, continuationTarget) = await CompleteAndConsumeAsync(token);
        Collect();
        reply.IsAlive.Should().BeFalse("the token lets go of the reply once it is taken");
        continuationState.IsAlive.Should().BeFalse("the token lets go of the waiter's continuation state once it has run");
        continuationTarget.IsAlive.Should().BeFalse("the token lets go of the waiter's continuation once it has run");
        GC.KeepAlive(token);
    }

    [Fact] // the reply of a finished call never pins memory (or an old module version) on the server's side
    public async Task Reply_IsCollectable_AsSoonAsTheCallerDropsIt()
    {
        using var node = new Node();
        var server = (await GenServer.StartAsync(node, new Deferred())).GetPidOrThrow();
        var reply = await CallAndDropAsync(server);
        await Task.Yield(); // off the stack of the call's completion, which still holds the reply in a frame
        Collect();
        reply.IsAlive.Should().BeFalse("nothing but the caller held the reply");
    }

    /// <summary>Holds the caller of "big" until a "release" cast, then answers it with 10 MB.</summary>
    private sealed class Deferred : GenServer<From?>
    {
        public override ValueTask<InitResult<From?>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(null);

        public override ValueTask<ServerResult<From?>> HandleCallAsync(object request, From from, From? state, CancellationToken cancellationToken) =>
            NoReply(from);

        public override ValueTask<ServerResult<From?>> HandleCastAsync(object request, From? state, CancellationToken cancellationToken)
        {
            if (state is { } from) GenServer.Reply(from, new byte[10 << 20]);
            return NoReply(null);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> CallAndDropAsync(Pid server)
    {
        // The caller waits before the reply exists, so the token holds its continuation when the reply comes.
        var call = GenServer.CallAsync(server, "big", Timeout.InfiniteTimeSpan);
        GenServer.Cast(server, "release");
        return new WeakReference(await call.Within());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference Reply, WeakReference State, WeakReference Target)> CompleteAndConsumeAsync(CallReply token)
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Made in a separate frame: no local of this async method (hoisted into its state machine) holds them.
        var refs = Complete(token, ran);
        await ran.Task.Within();
        ReferenceEquals(token.TakeResult(), refs.Reply.Target).Should().BeTrue();
        return refs;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Reply, WeakReference State, WeakReference Target) Complete(CallReply token, TaskCompletionSource ran)
    {
        var state = new byte[1024];
        var captured = new byte[1024];
        Action<object?> continuation = s => { GC.KeepAlive(captured); ran.SetResult(); };
        ((System.Threading.Tasks.Sources.IValueTaskSource<object?>)token).OnCompleted(continuation, state, 0, default);
        var reply = new object();
        token.TryReply(reply).Should().BeTrue();
        return (new WeakReference(reply), new WeakReference(state), new WeakReference(continuation));
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
