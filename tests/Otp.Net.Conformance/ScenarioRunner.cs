using Microsoft.Extensions.Logging.Abstractions;
using System.Collections.Concurrent;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Conformance;

/// <summary>
/// Interprets a scenario (shared/conformance/README.md) on a fresh node and writes its trace. The runner is itself a
/// process that traps exits; it learns of every death through the node's tracer, which runs before the dying process
/// signals anyone, so a <c>down</c> line always precedes what the death causes.
/// </summary>
internal sealed class ScenarioRunner : IProcessTracer
{
    private readonly TextWriter _out;
    private readonly Scenario _scenario;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<Pid, string> _labels = new();
    private readonly Dictionary<string, List<Pid>> _incarnations = new(StringComparer.Ordinal);
    private readonly List<Pid> _startOrder = [];
    private readonly HashSet<Pid> _procs = [];
    private readonly HashSet<Pid> _buried = []; // dead processes whose exit signals are known to be delivered (runner only)
    private Node _node = null!;
    private Pid _runner;
    private int _lines;
    private bool _finished;

    private ScenarioRunner(Scenario scenario, TextWriter output)
    {
        _scenario = scenario;
        _out = output;
    }

    public static async Task RunAsync(Scenario scenario, TextWriter output)
    {
        var runner = new ScenarioRunner(scenario, output);
        await using var node = new Node(new NodeOptions { Tracer = runner, LoggerFactory = NullLoggerFactory.Instance });
        runner._node = node;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Spawn(async ctx =>
        {
            try
            {
                runner._runner = ctx.Self;
                foreach (var action in scenario.Actions) await runner.PerformAsync(ctx, action);
                lock (runner._gate) runner._finished = true; // the node's disposal kills what is left: not part of the trace
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, new SpawnOptions { TrapExit = true });
        await done.Task;
    }

    // ------------------------------------------------------------ printing and naming

    public void Print(string line)
    {
        lock (_gate)
        {
            if (_finished) return;
            _out.Write(line);
            _out.Write('\n');
            _out.Flush();
            _lines++;
        }
    }

    public (string Label, int N) Incarnate(string name, Pid pid)
    {
        lock (_gate)
        {
            if (!_incarnations.TryGetValue(name, out var list)) _incarnations[name] = list = [];
            list.Add(pid);
            var label = $"{name}#{list.Count}";
            _labels[pid] = label;
            _startOrder.Add(pid);
            return (label, list.Count);
        }
    }

    public string Label(Pid pid) => pid == _runner && !pid.IsUndefined ? "runner" : _labels.TryGetValue(pid, out var l) ? l : pid.ToString();

    public string Format(object? value) => TermFormatter.Format(ToScenarioTerm(value), v => v switch { Pid p => Label(p), Otp.Net.Terms.Ref => "#Ref", _ => null });

    /// <summary>Maps framework values onto the terms the traces print.</summary>
    private static object? ToScenarioTerm(object? value) => value switch
    {
        ExitReason r => ToScenarioTerm(r.Term),
        ChildSpec spec => TermTuple.Of(Atom.Of("child"), spec.Id),
        ChildInfo c => TermTuple.Of(c.Id, c.Restarting ? Atom.Of("restarting") : c.Pid.IsUndefined ? Atom.Of("undefined") : c.Pid, Atom.Of(c.Type == ChildType.Worker ? "worker" : "supervisor")),
        IEnumerable<ChildInfo> list => new TermList(list.Select(ToScenarioTerm).ToArray()),
        ITermConvertible t => ToScenarioTerm(t.ToTerm()),
        TermTuple t => new TermTuple(t.Select(ToScenarioTerm).ToArray()),
        TermList l => new TermList(l.Select(ToScenarioTerm).ToArray()),
        Pid { IsUndefined: true } => Atom.Of("undefined"),
        _ => value,
    };

    void IProcessTracer.OnSpawn(Pid pid, Pid parent)
    {
    }

    void IProcessTracer.OnExit(Pid pid, ExitReason reason)
    {
        if (_labels.TryGetValue(pid, out var label)) Print($"down {label} {Format(reason)}");
    }

    // ------------------------------------------------------------ declarations to specs

    public ChildSpec ChildSpecFor(Decl d) => d.Kind switch
    {
        "worker" => new ChildSpec(Atom.Of(d.Name), node => GenServer.StartLinkAsync(node, new TestWorker(this, d)))
        {
            Restart = RestartOf(d),
            Shutdown = ShutdownOf(d, Supervision.Shutdown.Timeout(5000)),
            Type = ChildType.Worker,
            Modules = ["test_worker"],
        },
        "sup" => new ChildSpec(Atom.Of(d.Name), node => Supervisor.StartLinkAsync(node, new TestSupervisor(this, d)))
        {
            Restart = RestartOf(d),
            Shutdown = ShutdownOf(d, Supervision.Shutdown.Infinity),
            Type = ChildType.Supervisor,
            Modules = ["test_sup"],
        },
        _ => new ChildSpec(Atom.Of(d.Name), node => DynamicSupervisor.StartLinkAsync(node, DynamicOptions(d)))
        {
            Restart = RestartOf(d),
            Shutdown = ShutdownOf(d, Supervision.Shutdown.Infinity),
            Type = ChildType.Supervisor,
            Modules = ["DynamicSupervisor"],
        },
    };

    private DynamicSupervisorOptions DynamicOptions(Decl d) => new()
    {
        Intensity = (int)d.Int("intensity", 3),
        PeriodSeconds = (int)d.Int("period", 5),
        MaxChildren = d.Opt("max_children") is long max ? (int)max : null,
        OnInit = _ =>
        {
            var (label, _) = Incarnate(d.Name, ProcessContext.Current!.Self);
            Print($"init {label}");
            return ValueTask.CompletedTask;
        },
    };

    private static RestartType RestartOf(Decl d) => d.Atom("restart", "permanent") switch
    {
        "permanent" => RestartType.Permanent,
        "transient" => RestartType.Transient,
        "temporary" => RestartType.Temporary,
        var other => throw new ScenarioException($"bad restart {other}"),
    };

    private static Shutdown ShutdownOf(Decl d, Shutdown def) => d.Opt("shutdown") switch
    {
        null => def,
        Atom { Name: "brutal_kill" } => Supervision.Shutdown.BrutalKill,
        Atom { Name: "infinity" } => Supervision.Shutdown.Infinity,
        long ms => Supervision.Shutdown.Timeout((int)ms),
        var other => throw new ScenarioException($"bad shutdown {TermFormatter.Format(other)}"),
    };

    private Decl DeclOf(string name) => _scenario.Decls.TryGetValue(name, out var d) ? d : throw new ScenarioException($"{name} is not declared");

    // ------------------------------------------------------------ process references

    /// <summary>A child id in a scenario: an atom.</summary>
    private static ChildId ChildIdOf(string token) =>
        TermParser.Parse(token) is Atom a ? a : throw new FormatException($"a child id must be an atom: {token}");

    private Pid Ref(string token)
    {
        lock (_gate)
        {
            var hash = token.IndexOf('#', StringComparison.Ordinal);
            var name = hash < 0 ? token : token[..hash];
            if (!_incarnations.TryGetValue(name, out var list) || list.Count == 0) throw new ScenarioException($"{name} has no incarnation yet");
            if (hash < 0) return list[^1];
            var n = int.Parse(token[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (n < 1 || n > list.Count) throw new ScenarioException($"{token} does not exist");
            return list[n - 1];
        }
    }

    private static Dictionary<string, string> Options(string[] tokens, int from)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = from; i < tokens.Length; i++)
        {
            var eq = tokens[i].IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) result[tokens[i][..eq]] = tokens[i][(eq + 1)..];
        }
        return result;
    }

    // ------------------------------------------------------------ actions

    private async Task PerformAsync(ProcessContext self, string[] a)
    {
        Print("> " + string.Join(' ', a));
        object? result = null;
        var hasResult = true;
        try
        {
            result = await ExecuteAsync(self, a);
            if (result is NoResult) hasResult = false;
        }
        catch (Exception ex) when (ex is ICallFailure failure)
        {
            result = new Raised("exit", failure.CallReason);
        }
        catch (NoProcException)
        {
            result = new Raised("error", Atom.Of("noproc"));
        }
        catch (OtpExitException ex)
        {
            result = new Raised("exit", ex.Reason);
        }
        await SettleAsync(self);
        if (hasResult) Print("= " + (result is Raised r ? $"{r.Class} {Format(r.Reason)}" : result is string s ? s : Format(result)));
    }

    private sealed record Raised(string Class, object Reason);

    private sealed record NoResult
    {
        public static readonly NoResult Value = new();
    }

    private async Task<object?> ExecuteAsync(ProcessContext self, string[] a)
    {
        string Arg(int i) => i < a.Length ? a[i] : throw new ScenarioException($"'{a[0]}' needs more arguments");
        switch (a[0])
        {
            case "start":
            {
                var d = DeclOf(Arg(1));
                var spec = ChildSpecFor(d);
                return await spec.Start(_node);
            }
            case "proc":
            {
                var name = Arg(1);
                var trap = Options(a, 2).GetValueOrDefault("trap_exit") == "true";
                var pid = _node.Spawn(ctx => ProcBodyAsync(ctx, name), new SpawnOptions { TrapExit = trap, StartSuspended = true });
                lock (_gate) _procs.Add(pid);
                Incarnate(name, pid);
                _node.StartSuspended(pid);
                return NoResult.Value;
            }
            case "exit":
            {
                var target = Ref(Arg(1));
                var reason = ExitReason.Of(TermParser.Parse(Arg(2)));
                if (Options(a, 3).TryGetValue("from", out var from))
                {
                    // The proc may kill itself this way (§4.3): the command then has no result and the scenario goes on.
                    await ProcCommandAsync(Ref(from), ctx =>
                    {
                        ctx.Exit(target, reason);
                        return null;
                    });
                }
                else
                {
                    self.Exit(target, reason);
                }
                return NoResult.Value;
            }
            case "send":
                self.Send(Ref(Arg(1)), TermParser.Parse(Arg(2)));
                return NoResult.Value;
            case "cast":
                GenServer.Cast(Ref(Arg(1)), TermParser.Parse(Arg(2)));
                return NoResult.Value;
            case "call":
            {
                TimeSpan? timeout = Options(a, 3).TryGetValue("timeout", out var t)
                    ? t == "infinity" ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(long.Parse(t, System.Globalization.CultureInfo.InvariantCulture))
                    : null;
                return await GenServer.CallAsync(Ref(Arg(1)), TermParser.Parse(Arg(2)), timeout);
            }
            case "link":
            {
                var target = Ref(Arg(2));
                return await ProcCommandAsync(Ref(Arg(1)), ctx => ctx.Link(target));
            }
            case "unlink":
            {
                var target = Ref(Arg(2));
                return await ProcCommandAsync(Ref(Arg(1)), ctx => ctx.Unlink(target));
            }
            case "monitor":
            {
                var target = Ref(Arg(2));
                return await ProcCommandAsync(Ref(Arg(1)), ctx => new MonitorCommand(target, true));
            }
            case "demonitor":
            {
                var target = Ref(Arg(2));
                return await ProcCommandAsync(Ref(Arg(1)), ctx => new MonitorCommand(target, false));
            }
            case "which_children":
                return await Supervisor.WhichChildrenAsync(Ref(Arg(1)));
            case "count_children":
                return await Supervisor.CountChildrenAsync(Ref(Arg(1)));
            case "start_child":
                return await Supervisor.StartChildAsync(Ref(Arg(1)), ChildSpecFor(DeclOf(Arg(2))));
            case "terminate_child":
            {
                var sup = Ref(Arg(1));
                var supDecl = DeclOf(Arg(1).Split('#')[0]);
                return supDecl.Kind == "dynsup"
                    ? await Supervisor.TerminateChildAsync(sup, Ref(Arg(2)))
                    : await Supervisor.TerminateChildAsync(sup, ChildIdOf(Arg(2)));
            }
            case "restart_child":
                return await Supervisor.RestartChildAsync(Ref(Arg(1)), ChildIdOf(Arg(2)));
            case "delete_child":
                return await Supervisor.DeleteChildAsync(Ref(Arg(1)), ChildIdOf(Arg(2)));
            case "get_childspec":
            {
                var spec = await Supervisor.GetChildSpecAsync(Ref(Arg(1)), ChildIdOf(Arg(2)));
                if (spec is null) return TermTuple.Of(Atom.Of("error"), Atom.Of("not_found"));
                return TermTuple.Of(Atom.Of("ok"), TermTuple.Of(spec.Id.ToTerm(), Atom.Of(spec.Restart.ToString().ToLowerInvariant()),
                    spec.EffectiveShutdown.ToTerm(), Atom.Of(spec.Type == ChildType.Worker ? "worker" : "supervisor")));
            }
            case "stop":
            {
                var pid = Ref(Arg(1));
                var reason = a.Length > 2 ? ExitReason.Of(TermParser.Parse(a[2])) : ExitReason.Normal;
                bool isProc;
                lock (_gate) isProc = _procs.Contains(pid);
                if (isProc)
                {
                    if (!_node.IsAlive(pid)) throw new CallNoProcException("proc", "stop", TermList.Empty);
                    var exit = _node.WaitForExitAsync(pid);
                    _node.Send(pid, new ProcCommand(_ => throw new OtpExitException(reason), new TaskCompletionSource<object?>()));
                    await exit;
                    return Atom.Of("ok");
                }
                await GenServer.StopAsync(pid, reason, Timeout.InfiniteTimeSpan);
                return Atom.Of("ok");
            }
            case "alive":
                return _node.IsAlive(Ref(Arg(1)));
            case "sleep":
                await Task.Delay(TimeSpan.FromMilliseconds(long.Parse(Arg(1), System.Globalization.CultureInfo.InvariantCulture)));
                return NoResult.Value;
            case "suspend":
                await SysOps.SuspendAsync(Ref(Arg(1)));
                return Atom.Of("ok");
            case "resume":
                await SysOps.ResumeAsync(Ref(Arg(1)));
                return Atom.Of("ok");
            case "get_state":
                return await SysOps.GetStateAsync(Ref(Arg(1)));
            case "replace_state":
            {
                var value = TermParser.Parse(Arg(2));
                return await SysOps.ReplaceStateAsync(Ref(Arg(1)), _ => value);
            }
            default:
                throw new ScenarioException($"unknown action '{a[0]}'");
        }
    }

    // ------------------------------------------------------------ raw processes

    private sealed record ProcCommand(Func<ProcessContext, object?> Action, TaskCompletionSource<object?> Done);

    /// <summary>The settling barrier of a proc; completes with whether messages were already waiting behind it.</summary>
    private sealed record SyncCommand(TaskCompletionSource<bool> Done);

    private sealed record MonitorCommand(Pid Target, bool Add);

    /// <summary>
    /// Has the proc perform a command and returns its result; a proc that is dead, or dies before answering (e.g. its
    /// own command killed it), gives <c>exit noproc</c>, as a call to a dead process does.
    /// </summary>
    private async Task<object?> ProcCommandAsync(Pid proc, Func<ProcessContext, object?> action)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var unwatch = new CancellationTokenSource();
        var exit = _node.WaitForExitAsync(proc, unwatch.Token);
        _node.Send(proc, new ProcCommand(action, done));
        var first = await Task.WhenAny(done.Task, exit);
        await unwatch.CancelAsync(); // removes the monitor
        if (first != done.Task && !done.Task.IsCompleted) return new Raised("exit", Atom.Of("noproc"));
        return await done.Task;
    }

    private async Task ProcBodyAsync(ProcessContext ctx, string name)
    {
        var label = Label(ctx.Self);
        Print($"init {label}");
        var monitors = new Dictionary<Terms.Ref, Pid>(); // until its DOWN has been received
        SyncCommand? pendingSync = null;
        while (true)
        {
            var message = await ctx.ReceiveAsync();
            switch (message)
            {
                case ProcCommand command:
                    object? result;
                    try
                    {
                        result = command.Action(ctx);
                    }
                    catch (OtpExitException)
                    {
                        command.Done.TrySetResult(null);
                        throw;
                    }
                    catch (Exception ex)
                    {
                        command.Done.TrySetException(ex);
                        continue;
                    }
                    if (result is MonitorCommand m)
                    {
                        if (m.Add)
                        {
                            var r = ctx.Monitor(m.Target);
                            monitors[r] = m.Target;
                            result = r;
                        }
                        else
                        {
                            foreach (var r in monitors.Where(kv => kv.Value == m.Target).Select(kv => kv.Key).ToArray())
                            {
                                ctx.Demonitor(r);
                                monitors.Remove(r);
                            }
                            result = true;
                        }
                    }
                    command.Done.TrySetResult(result);
                    break;
                case SyncCommand sync:
                    pendingSync = sync;
                    break;
                default:
                    Print($"recv {label} {Format(message)}");
                    if (message is DownMessage down) monitors.Remove(down.Ref);
                    break;
            }
            // The sync barrier also waits for the DOWN of every monitor whose target is already dead: a DOWN may be
            // delivered a little after the dead process's other signals. Messages are handled in arrival order meanwhile.
            if (pendingSync is not null && !monitors.Values.Any(p => !_node.IsAlive(p)))
            {
                pendingSync.Done.TrySetResult(HasWork(ctx.Self));
                pendingSync = null;
            }
        }
    }

    // ------------------------------------------------------------ settling

    /// <summary>
    /// Waits until the system is quiescent (§7.5), in rounds: (a) every process known to be dead has finished dying (its
    /// exit signals are delivered), then (b) every live process, in start order, answers a request only after handling
    /// what is already in its mailbox; then (a) again. A round is quiet when it printed nothing, no process died during
    /// it, and no synchronised process was left with messages to handle (e.g. a supervisor retrying a failed restart
    /// through its own mailbox; a suspended process is quiescent whatever it has queued). After a quiet round, what
    /// reached the runner's own mailbox is printed; if anything was, settling goes on.
    /// </summary>
    private async Task SettleAsync(ProcessContext self)
    {
        for (var round = 1; ; round++)
        {
            if (round > MaxSettleRounds) throw new ScenarioException("the system does not settle");
            int before;
            lock (_gate) before = _lines;
            var quiet = !await AwaitDeathsAsync();
            Pid[] order;
            lock (_gate) order = _startOrder.ToArray();
            foreach (var pid in order)
            {
                if (!_node.IsAlive(pid)) continue; // dead before or during this round: the closing barrier waits for it
                if (await SyncAsync(pid)) quiet = false;
            }
            if (await AwaitDeathsAsync()) quiet = false;
            int after;
            lock (_gate) after = _lines;
            if (!quiet || after != before) continue;
            var printed = false;
            while (await self.ReceiveAsync(null, TimeSpan.Zero) is { } message)
            {
                Print($"recv runner {Format(message)}");
                printed = true;
            }
            if (!printed) return;
        }
    }

    private const int MaxSettleRounds = 10_000;

    /// <summary>
    /// The barrier of a settling round: waits until every dead process not yet seen dead has finished dying, in start
    /// order. Returns whether there was any (a round in which a process died is not quiet).
    /// </summary>
    private async Task<bool> AwaitDeathsAsync()
    {
        Pid[] order;
        lock (_gate) order = _startOrder.ToArray();
        var died = false;
        foreach (var pid in order)
        {
            if (_buried.Contains(pid) || _node.IsAlive(pid)) continue;
            await _node.WaitForExitAsync(pid); // completes once its links and monitors have been signalled
            _buried.Add(pid);
            died = true;
        }
        return died;
    }

    /// <summary>
    /// Returns once <paramref name="pid"/> has handled everything already in its mailbox (or has died), with whether it
    /// is still busy: when it answered, messages were already waiting behind the request (e.g. a supervisor's retry of
    /// a failed restart, which it sends itself). A gen_server answers a system message, even while suspended; a
    /// suspended process is never busy.
    /// </summary>
    private async Task<bool> SyncAsync(Pid pid)
    {
        bool isProc;
        lock (_gate) isProc = _procs.Contains(pid);
        if (isProc)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var unwatch = new CancellationTokenSource();
            var exit = _node.WaitForExitAsync(pid, unwatch.Token);
            _node.Send(pid, new SyncCommand(done));
            await Task.WhenAny(done.Task, exit);
            await unwatch.CancelAsync(); // removes the monitor
            return done.Task.IsCompletedSuccessfully && done.Task.Result;
        }
        var busy = false;
        try
        {
            // sys:replace_state with the identity: the function runs inside the server, between two messages.
            await SysOps.ReplaceStateAsync(pid, state =>
            {
                busy = HasWork(pid);
                return state;
            }, Timeout.InfiniteTimeSpan);
        }
        catch (Exception ex) when (ex is ICallFailure)
        {
            // It died meanwhile: the round's closing barrier waits for its death.
        }
        return busy;
    }

    /// <summary>Called by the process itself between two messages: whether it has messages to handle next.</summary>
    private bool HasWork(Pid pid) => _node.GetProcessInfo(pid) is { MessageQueueLength: > 0, Status: not ProcessStatus.Suspended };
}
