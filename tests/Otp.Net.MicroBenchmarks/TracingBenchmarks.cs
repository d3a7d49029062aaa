using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.MicroBenchmarks;

/// <summary>
/// What tracing costs on the message path. <see cref="TraceMode.None"/> is the path every application pays (compare it
/// with <see cref="MessagePathBenchmarks"/> on a build without tracing); <see cref="TraceMode.OtherSource"/> is a host
/// that traces something else (a current activity, no listener on Otp.Net's source); <see cref="TraceMode.Traced"/>
/// records every span.
/// </summary>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    private const int Batch = 1000;
    private static readonly object Msg = Atom.Of("msg");
    private static readonly ActivitySource Host = new("Otp.Net.MicroBenchmarks.Host");
    private Node _node = null!;
    private Pid _sink;
    private Pid _server;
    private ActivityListener? _listener;
    private Activity? _ambient;
    private TaskCompletionSource? _drained;
    private int _remaining;

    /// <summary>Who listens while the operations run.</summary>
    public enum TraceMode
    {
        /// <summary>No listener anywhere, no current activity.</summary>
        None,

        /// <summary>A listener on another source and a current activity from it; nothing listens to Otp.Net.</summary>
        OtherSource,

        /// <summary>A listener on Otp.Net's source that records everything, inside a current activity.</summary>
        Traced,
    }

    [Params(TraceMode.None, TraceMode.OtherSource, TraceMode.Traced)]
    public TraceMode Mode { get; set; }

    private sealed class Echo : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(request, state);

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) => NoReply(state);
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
        if (Mode == TraceMode.None) return;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source == Host || (Mode == TraceMode.Traced && source.Name == OtpDiagnostics.ActivitySourceName),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        // One long-lived request activity: each operation makes it current (Activity.Current is async-local).
        _ambient = Host.StartActivity("request");
        Activity.Current = null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ambient?.Dispose();
        _listener?.Dispose();
        _node.Dispose();
    }

    /// <summary>A GenServer call round trip from code outside any process.</summary>
    [Benchmark]
    public async Task<object?> Call()
    {
        Activity.Current = _ambient;
        return await GenServer.CallAsync(_server, Msg);
    }

    /// <summary>Send into a process's mailbox and have it received (per message, in batches of 1000).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task Send()
    {
        Activity.Current = _ambient;
        _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _remaining = Batch;
        for (var i = 0; i < Batch; i++) _node.Send(_sink, Msg);
        await _drained.Task;
    }

    /// <summary>Casts, then one call that is served after them (per cast, in batches of 1000).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public async Task<object?> Cast()
    {
        Activity.Current = _ambient;
        for (var i = 0; i < Batch; i++) GenServer.Cast(_server, Msg);
        return await GenServer.CallAsync(_server, Msg);
    }
}
