using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Conformance;

/// <summary>The scenario language's test worker (§4.1): a gen_server with an integer counter.</summary>
internal sealed class TestWorker(ScenarioRunner runner, Decl decl) : GenServer<long>
{
    private static readonly Atom OkAtom = Atom.Of("ok");

    public override string ModuleName => "test_worker";

    public override ValueTask<InitResult<long>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var (label, n) = runner.Incarnate(decl.Name, Self.Self);
        runner.Print($"init {label}");
        if (decl.Opt("trap_exit") is Atom { Name: "true" }) Self.TrapExit = true;
        var mode = decl.Opt($"init@{n}") ?? decl.Opt("init") ?? OkAtom;
        var state = decl.Int("state", 0);
        return mode switch
        {
            Atom { Name: "ok" } => Ok(state),
            Atom { Name: "ignore" } => Ignore(),
            TermTuple { Length: 2 } t when t[0] is Atom { Name: "stop" } => StopInit(ExitReason.Of(t[1])),
            TermTuple { Length: 2 } t when t[0] is Atom { Name: "exit" } => throw new OtpExitException(ExitReason.Of(t[1])),
            _ => throw new ScenarioException($"bad init option {TermFormatter.Format(mode)}"),
        };
    }

    public override async ValueTask<ServerResult<long>> HandleCallAsync(object request, From from, long state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Atom { Name: "ping" }: return Reply(decl.Opt("reply") ?? Atom.Of("pong"), state);
            case Atom { Name: "get" }: return Reply(state, state);
            case Atom { Name: "incr" }: return Reply(state + 1, state + 1);
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "reply" }: return Reply(t[1], state);
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "sleep" }:
                await Task.Delay(TimeSpan.FromMilliseconds(Convert.ToInt64(t[1])), CancellationToken.None).ConfigureAwait(false);
                return Reply(OkAtom, state);
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "crash" }: throw new OtpExitException(ExitReason.Of(t[1]));
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "stop" }: return StopReply(ExitReason.Of(t[1]), OkAtom, state);
            default: return Reply(TermTuple.Of(Atom.Of("error"), Atom.Of("unknown_request")), state);
        }
    }

    public override async ValueTask<ServerResult<long>> HandleCastAsync(object request, long state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Atom { Name: "incr" }: return NoReply(state + 1);
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "sleep" }:
                await Task.Delay(TimeSpan.FromMilliseconds(Convert.ToInt64(t[1])), CancellationToken.None).ConfigureAwait(false);
                return NoReply(state);
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "crash" }: throw new OtpExitException(ExitReason.Of(t[1]));
            case TermTuple { Length: 2 } t when t[0] is Atom { Name: "stop" }: return Stop(ExitReason.Of(t[1]), state);
            default: return NoReply(state);
        }
    }

    public override ValueTask<ServerResult<long>> HandleInfoAsync(object message, long state, CancellationToken cancellationToken)
    {
        runner.Print($"info {runner.Label(Self.Self)} {runner.Format(message)}");
        return NoReply(state);
    }

    public override async ValueTask TerminateAsync(ExitReason reason, long state, CancellationToken cancellationToken)
    {
        runner.Print($"terminate {runner.Label(Self.Self)} {runner.Format(reason)}");
        var ms = decl.Int("terminate_ms", 0);
        if (ms > 0) await Task.Delay(TimeSpan.FromMilliseconds(ms), CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>A declared static supervisor (§4.2): reports init and returns the declared flags and children.</summary>
internal sealed class TestSupervisor(ScenarioRunner runner, Decl decl) : Supervisor
{
    public override string ModuleName => "test_sup";

    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var self = ProcessContext.Current!.Self;
        var (label, _) = runner.Incarnate(decl.Name, self);
        runner.Print($"init {label}");
        var flags = new SupervisorFlags
        {
            Strategy = decl.Strategy switch { "one_for_all" => Strategy.OneForAll, "rest_for_one" => Strategy.RestForOne, _ => Strategy.OneForOne },
            Intensity = (int)decl.Int("intensity", 1),
            PeriodSeconds = (int)decl.Int("period", 5),
        };
        return SupervisorInit.Ok(flags, decl.Children.Select(runner.ChildSpecFor).ToArray());
    }
}
