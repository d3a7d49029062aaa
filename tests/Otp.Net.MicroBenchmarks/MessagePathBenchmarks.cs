using BenchmarkDotNet.Attributes;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.MicroBenchmarks;

/// <summary>Per-operation cost and allocations of the message path, so a regression shows on the operation it hits.</summary>
[MemoryDiagnoser]
public class MessagePathBenchmarks
{
    private const int Batch = 1000;
    private static readonly object Msg = Atom.Of("msg");
    private Node _node = null!;
    private Pid _sink;
    private Pid _server;
    private TaskCompletionSource? _drained;
    private int _remaining;

    private sealed class Echo : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(request, state);
    }

    [GlobalSetup]
    public void Setup()
    {
        _node = new Node();
        _sink = _node.Spawn(async ctx =>
        {
            while (true)
            {
                await ctx.ReceiveAsync();
                if (--_remaining == 0) _drained!.SetResult();
            }
        });
        _server = GenServer.StartAsync(_node, new Echo()).GetAwaiter().GetResult().Pid;
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    /// <summary>Send into a process's mailbox and have it received (per message, in batches of 1000).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task SendAndReceive()
    {
        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _remaining = Batch;
        for (var i = 0; i < Batch; i++) _node.Send(_sink, Msg);
        await _drained.Task;
    }

    /// <summary>A GenServer call round trip from code outside any process.</summary>
    [Benchmark]
    public Task<object?> CallRoundTrip() => GenServer.CallAsync(_server, Msg);

    /// <summary>Spawn a process that returns at once, and wait for its exit.</summary>
    [Benchmark]
    public Task<ExitReason> SpawnAndExit() => _node.WaitForExitAsync(_node.Spawn(static _ => Task.CompletedTask));

    /// <summary>Start a timer and cancel it.</summary>
    [Benchmark]
    public long? TimerStartCancel() => _node.CancelTimer(_node.SendAfter(TimeSpan.FromMinutes(1), _sink, Msg));
}
