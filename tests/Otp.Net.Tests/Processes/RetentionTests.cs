using System.Runtime.CompilerServices;
using Otp.Net.Processes;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Processes;

/// <summary>
/// The runtime's own structures keep nothing alive once it has been consumed: a message a receive returned, the
/// finished reply watches a caller still holds. (Anything kept could be an object of an old module version.)
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task ReceivedMessage_IsNotKeptByTheProcess_OnceItsCodeDropsIt()
    {
        var dropped = new TaskCompletionSource<WeakReference>(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pid = _node.Spawn(async ctx =>
        {
            var weak = await ReceiveAndDropAsync(ctx);
            await Task.Yield(); // off the stack that delivered the message
            dropped.SetResult(weak);
            await hold.Task; // busy with something other than a receive
        });
        await ParkedAsync(pid);
        SendBig(_node, pid);
        var message = await dropped.Task.Within();
        await Task.Yield(); // off any frame that took part in the delivery
        Collect();
        message.IsAlive.Should().BeFalse("the receive was consumed; the process holds no copy of its message");
        hold.SetResult();
        await _node.ExpectExitAsync(pid);
    }

    [Fact]
    public void FinishedWatch_HeldByItsCaller_KeepsNoOtherWatchAlive()
    {
        var pid = _node.Spawn(async ctx => await ctx.ReceiveAsync());
        var owner = pid.Process!;
        var list = new ReplyWatchList();
        var (held, others) = PushThenPrune(list, owner);
        Collect();
        others.Should().OnlyContain(w => !w.IsAlive, "the pruned watches are reachable from nothing but an older dropped watch");
        GC.KeepAlive(held);
        _node.Send(pid, "done");
    }

    /// <summary>
    /// Pushes watches that finish later, then one the caller keeps (it links to them), and lets both be pruned: the
    /// kept one first, the others on a later prune.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Watch Held, List<WeakReference> Others) PushThenPrune(ReplyWatchList list, LocalProcess owner)
    {
        var others = Enumerable.Range(0, 10).Select(_ => new Watch()).ToList();
        foreach (var w in others) list.TryAdd(w, owner).Should().BeTrue();
        var held = new Watch();
        list.TryAdd(held, owner);
        held.Done = true;
        for (var i = 0; i < 200; i++) list.TryAdd(new Watch { Done = true }, owner); // prunes `held`, keeps `others`
        foreach (var w in others) w.Done = true;
        for (var i = 0; i < 200; i++) list.TryAdd(new Watch { Done = true }, owner); // prunes `others`
        return (held, others.Select(w => new WeakReference(w)).ToList());
    }

    private sealed class Watch : ReplyWatch
    {
        public bool Done { get; set; }

        public override bool IsDone => Done;

        public override void OnProcessDown(ExitReason reason)
        {
        }
    }

    /// <summary>Sends 10 MB from a frame of its own, so that no local of the test's async method can hold it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SendBig(Node node, Pid pid) => node.Send(pid, new byte[10 << 20]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> ReceiveAndDropAsync(ProcessContext ctx) => new(await ctx.ReceiveAsync());

    private async Task ParkedAsync(Pid pid)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (_node.GetProcessInfo(pid)?.Status != ProcessStatus.Waiting) await Task.Delay(1, cts.Token);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
