using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

/// <summary>
/// A worker that writes "init NAME" / "terminate NAME REASON" to a journal; init can be scripted per attempt. Its
/// <see cref="Spec"/> starts a fresh copy on every (re)start; the copies share the attempt count.
/// </summary>
internal sealed class JournalWorker(string name, ConcurrentQueue<string> journal, bool trapExit = true, Func<int, InitResult<int>?>? init = null, StrongBox<int>? attempts = null) : GenServer<int>
{
    private readonly StrongBox<int> _attempts = attempts ?? new StrongBox<int>();

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts.Value);
        journal.Enqueue($"init {name}");
        if (trapExit) Self.TrapExit = true;
        return init?.Invoke(attempt) ?? Ok(0);
    }

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => request switch
    {
        ("crash", ExitReason r) => throw new OtpExitException(r),
        ("stop", ExitReason r) => StopReply(r, "ok", state),
        ("sleep", int ms) => SleepThenReply(ms, state),
        _ => Reply("pong", state),
    };

    private static async ValueTask<ServerResult<int>> SleepThenReply(int ms, int state)
    {
        await Task.Delay(ms, CancellationToken.None);
        return Reply("ok", state);
    }

    public override async ValueTask TerminateAsync(ExitReason reason, int state, CancellationToken cancellationToken)
    {
        journal.Enqueue($"terminate {name} {reason}");
        if (SlowTerminate > TimeSpan.Zero) await Task.Delay(SlowTerminate, CancellationToken.None);
    }

    public TimeSpan SlowTerminate { get; init; }

    public ChildSpec Spec(RestartType restart = RestartType.Permanent, Shutdown? shutdown = null) =>
        ChildSpec.ForGenServer(Atom.Of(name), () => new JournalWorker(name, journal, trapExit, init, _attempts) { SlowTerminate = SlowTerminate })
            with { Restart = restart, Shutdown = shutdown };
}
