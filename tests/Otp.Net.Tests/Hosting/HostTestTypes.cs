using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Otp.Net.GenServers;

namespace Otp.Net.Tests.Hosting;

/// <summary>Records the scoped probes created by the DI container, in order.</summary>
public sealed class ProbeLog
{
    private int _next;

    public ConcurrentQueue<ScopedProbe> Created { get; } = new();

    public int Next() => Interlocked.Increment(ref _next);
}

/// <summary>A scoped service that says when its scope disposed it.</summary>
public sealed class ScopedProbe : IAsyncDisposable
{
    public ScopedProbe(ProbeLog log)
    {
        Number = log.Next();
        log.Created.Enqueue(this);
    }

    public int Number { get; }

    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ValueTask DisposeAsync()
    {
        Disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A GenServer that uses a scoped service; "probe" replies with the probe's number.</summary>
public sealed class ScopedWorker(ScopedProbe probe) : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(args is int n ? n : 0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => request switch
    {
        "probe" => Reply(probe.Number, state),
        _ => Reply(state, state),
    };
}

/// <summary>A service nobody registers.</summary>
public sealed class Unregistered;

/// <summary>A GenServer whose constructor needs a service nobody registers, besides a scoped one.</summary>
public sealed class NeedsUnregistered(ScopedProbe probe, Unregistered missing) : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(probe.Number + (missing is null ? 0 : 1));
}

/// <summary>Init arguments bound from configuration.</summary>
public sealed record ShopSettings
{
    public string Currency { get; init; } = "EUR";

    public int Capacity { get; init; }

    public List<string> Tags { get; init; } = [];

    public TimeSpan Timeout { get; init; }
}

/// <summary>A GenServer whose state is its bound settings; any call replies with them.</summary>
public sealed class SettingsServer : GenServer<object?>
{
    public override ValueTask<InitResult<object?>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(args);

    public override ValueTask<ServerResult<object?>> HandleCallAsync(object request, From from, object? state, CancellationToken cancellationToken) => Reply(state, state);
}

/// <summary>A hosted service that needs the node: it calls the server "counter" when it starts and when it stops.</summary>
public class CounterClient(Node node, HostJournal journal, string label) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        journal.Lines.Enqueue($"{label} start: {await GenServer.CallAsync(ServerRef.Named(node, "counter"), "get", cancellationToken: cancellationToken)}");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        journal.Lines.Enqueue($"{label} stop: {await GenServer.CallAsync(ServerRef.Named(node, "counter"), "get", cancellationToken: cancellationToken)}");
    }
}

/// <summary>A <see cref="CounterClient"/> registered before AddOtp.</summary>
public sealed class EarlyClient(Node node, HostJournal journal) : CounterClient(node, journal, "before");

/// <summary>A <see cref="CounterClient"/> registered after AddOtp.</summary>
public sealed class LateClient(Node node, HostJournal journal) : CounterClient(node, journal, "after");
