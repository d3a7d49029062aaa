using BenchmarkDotNet.Attributes;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.MicroBenchmarks;

/// <summary>
/// A GenServer call made from inside a process, awaited or blocking the process's thread (sync-over-async). The
/// blocking form measures how long a woken server waits when its waker keeps its thread.
/// </summary>
public class BlockingCallBenchmarks
{
    private const int Batch = 100;
    private static readonly object Msg = Atom.Of("msg");
    private Node _node = null!;
    private Pid _server;
    private Pid _client;

    private sealed class Echo : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(request, state);
    }

    [GlobalSetup]
    public void Setup()
    {
        _node = new Node();
        _server = GenServer.StartAsync(_node, new Echo()).GetAwaiter().GetResult().Pid;
        var server = _server;
        _client = _node.Spawn(async ctx =>
        {
            while (true)
            {
                var (blocking, done) = ((bool, TaskCompletionSource))await ctx.ReceiveAsync();
                for (var i = 0; i < Batch; i++)
                {
                    if (blocking) GenServer.CallAsync(server, Msg).GetAwaiter().GetResult();
                    else await GenServer.CallAsync(server, Msg);
                }
                done.SetResult();
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup() => _node.Dispose();

    /// <summary>A call from a process that awaits the reply (per call, in batches of 100).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public Task AwaitedCallFromProcess() => Run(blocking: false);

    /// <summary>A call from a process that blocks its thread on the reply (per call, in batches of 100).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public Task BlockingCallFromProcess() => Run(blocking: true);

    private Task Run(bool blocking)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Send(_client, (blocking, done));
        return done.Task;
    }
}
