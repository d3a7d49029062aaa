using System.Collections.Concurrent;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers;

/// <summary>Arguments of <see cref="TestServer"/>: what Init does, and a journal that records callbacks.</summary>
internal sealed record TestArgs(Func<InitResult<int>>? Init = null, bool TrapExit = false, ConcurrentQueue<string>? Journal = null, Action<string>? OnNote = null);

/// <summary>A counter server used across GenServer tests.</summary>
internal sealed class TestServer : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var a = (TestArgs?)args ?? new TestArgs();
        if (a.TrapExit) Self.TrapExit = true;
        Journals[Self.Self] = a.Journal ?? new ConcurrentQueue<string>();
        if (a.OnNote is { } onNote) Listeners[Self.Self] = onNote;
        return a.Init is null ? Ok(0) : a.Init();
    }

    public static readonly ConcurrentDictionary<Pid, ConcurrentQueue<string>> Journals = new();

    private static readonly ConcurrentDictionary<Pid, Action<string>> Listeners = new();

    private static void Note(string text)
    {
        if (Journals.TryGetValue(Self.Self, out var j)) j.Enqueue(text);
        if (Listeners.TryGetValue(Self.Self, out var listener)) listener(text);
    }

    public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case "get": return Reply(state, state);
            case "incr": return Reply(state + 1, state + 1);
            case ("sleep", int ms):
                await Task.Delay(ms, CancellationToken.None);
                return Reply("ok", state);
            case ("crash", ExitReason r): throw new OtpExitException(r);
            case ("stop", ExitReason r): return StopReply(r, "ok", state);
            case ("stop_noreply", ExitReason r): return Stop(r, state);
            case "defer":
                var f = from;
                _ = Task.Run(() => GenServer.Reply(f, "deferred"), CancellationToken.None);
                return NoReply(state);
            case "bad_return": return null!;
            case ("continue", object c): return Reply("ok", state, ServerAction.Continue(c));
            case ("timeout", int ms): return Reply("ok", state, ServerAction.After(TimeSpan.FromMilliseconds(ms)));
            default: return Reply(TermTuple.Of(Atom.Of("error"), Atom.Of("unknown_request")), state);
        }
    }

    public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) => request switch
    {
        "incr" => NoReply(state + 1),
        ("stop", ExitReason r) => Stop(r, state),
        "reply_from_cast" => Reply("nope", state),
        _ => NoReply(state),
    };

    public override ValueTask<ServerResult<int>> HandleInfoAsync(object message, int state, CancellationToken cancellationToken)
    {
        Note($"info {TermFormatter.Format(message)}");
        return NoReply(state);
    }

    public override ValueTask<ServerResult<int>> HandleContinueAsync(object continueArg, int state, CancellationToken cancellationToken)
    {
        Note($"continue {TermFormatter.Format(continueArg)}");
        return NoReply(state + 100);
    }

    public override ValueTask TerminateAsync(ExitReason reason, int state, CancellationToken cancellationToken)
    {
        Note($"terminate {reason}");
        return ValueTask.CompletedTask;
    }

    public override ValueTask<CodeChangeResult<int>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken) => extra switch
    {
        "fail" => CodeChangeResult<int>.Fail(Atom.Of("nope")),
        "throw" => throw new InvalidOperationException("code change exploded"),
        _ => CodeChangeResult<int>.Ok((int)oldState! * 10),
    };
}
