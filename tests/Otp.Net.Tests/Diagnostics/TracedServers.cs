using System.Collections.Concurrent;
using System.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Diagnostics;

/// <summary>What a traced server saw: the current activity inside each callback.</summary>
internal sealed class SeenActivities
{
    public ConcurrentQueue<(string Callback, object Message, Activity? Current)> Entries { get; } = new();

    public TaskCompletionSource<(string Callback, object Message, Activity? Current)> Next { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string callback, object message)
    {
        var entry = (callback, message, Activity.Current);
        Entries.Enqueue(entry);
        Next.TrySetResult(entry);
    }
}

/// <summary>The state of a <see cref="Relay"/>: where it forwards calls, and what it saw.</summary>
internal sealed record RelayState(Pid Next, SeenActivities Seen);

/// <summary>A server that answers <c>"hop"</c> by calling the next server, so two spans nest.</summary>
internal sealed class Relay : GenServer<RelayState>
{
    public override string ModuleName => "relay";

    public override ValueTask<InitResult<RelayState>> InitAsync(object? args, CancellationToken cancellationToken) => new(Ok((RelayState)args!));

    public override async ValueTask<ServerResult<RelayState>> HandleCallAsync(object request, From from, RelayState state, CancellationToken cancellationToken)
    {
        state.Seen.Add("call", request);
        var answer = await GenServer.CallAsync(state.Next, request, cancellationToken: cancellationToken);
        return Reply($"relayed {answer}", state);
    }
}

/// <summary>A server that echoes calls, records casts and messages, and crashes on <c>"crash"</c>.</summary>
internal sealed class Echo : GenServer<SeenActivities>
{
    public override string ModuleName => "echo";

    public override ValueTask<InitResult<SeenActivities>> InitAsync(object? args, CancellationToken cancellationToken) => new(Ok((SeenActivities?)args ?? new SeenActivities()));

    public override ValueTask<ServerResult<SeenActivities>> HandleCallAsync(object request, From from, SeenActivities state, CancellationToken cancellationToken)
    {
        state.Add("call", request);
        if (request is "crash") throw new InvalidOperationException("echo crashed on purpose");
        return new(Reply(request, state));
    }

    public override ValueTask<ServerResult<SeenActivities>> HandleCastAsync(object request, SeenActivities state, CancellationToken cancellationToken)
    {
        state.Add("cast", request);
        return new(NoReply(state));
    }

    public override ValueTask<ServerResult<SeenActivities>> HandleInfoAsync(object message, SeenActivities state, CancellationToken cancellationToken)
    {
        state.Add("info", message);
        return new(NoReply(state));
    }
}
