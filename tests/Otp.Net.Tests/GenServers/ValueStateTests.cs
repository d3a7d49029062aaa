using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// A state of plain values is kept boxed once while it does not change; every change, however small, is kept.
/// </summary>
public sealed class ValueStateTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private readonly record struct Point(byte Tag, long X, double Y);

    /// <summary>Replies with its state; <c>set</c> requests replace it.</summary>
    private sealed class Holder<T> : GenServer<T>
    {
        public override ValueTask<InitResult<T>> InitAsync(object? args, CancellationToken cancellationToken) => Ok((T)args!);

        public override ValueTask<ServerResult<T>> HandleCallAsync(object request, From from, T state, CancellationToken cancellationToken) =>
            request is ValueTuple<string, T> set ? Reply(set.Item2, set.Item2) : Reply(state, state);

        public override ValueTask<ServerResult<T>> HandleCastAsync(object request, T state, CancellationToken cancellationToken) =>
            NoReply(((ValueTuple<string, T>)request).Item2);
    }

    [Fact] // G9: the state a callback returns is the server's next state
    public async Task DoubleState_KeepsEveryChange_NegativeZeroAndNaNIncluded()
    {
        var pid = (await GenServer.StartAsync(_node, new Holder<double>(), 0.0)).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "get")).Should().Be(0.0);
        await GenServer.CallAsync(pid, ("set", -0.0));
        var negativeZero = (double)(await SysOps.GetStateAsync(pid))!;
        double.IsNegative(negativeZero).Should().BeTrue("-0.0 equals 0.0 but is another state");
        await GenServer.CallAsync(pid, ("set", double.NaN));
        double.IsNaN((double)(await SysOps.GetStateAsync(pid))!).Should().BeTrue();
        GenServer.Cast(pid, ("set", 1.5));
        (await SysOps.GetStateAsync(pid)).Should().Be(1.5);
    }

    [Fact] // G9
    public async Task StructState_KeepsAChangeOfAnyField()
    {
        var start = new Point(1, 2, 3.0);
        var pid = (await GenServer.StartAsync(_node, new Holder<Point>(), start)).GetPidOrThrow();
        (await GenServer.CallAsync(pid, "get")).Should().Be(start);
        foreach (var next in new[] { start with { Tag = 9 }, start with { X = -2 }, start with { Y = 3.5 }, start })
        {
            await GenServer.CallAsync(pid, ("set", next));
            (await SysOps.GetStateAsync(pid)).Should().Be(next);
            (await GenServer.CallAsync(pid, "get")).Should().Be(next);
        }
    }
}
