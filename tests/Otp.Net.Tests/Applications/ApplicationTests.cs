using System.Collections.Concurrent;
using Otp.Net.Applications;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.GenServers;

namespace Otp.Net.Tests.Applications;

public sealed class ApplicationTests : IDisposable
{
    private readonly Node _node = new();
    private readonly ConcurrentQueue<string> _journal = new();

    public void Dispose() => _node.Dispose();

    /// <summary>An application whose tree is one supervisor with one worker; it journals its callbacks.</summary>
    private sealed class TestApp(string name, ConcurrentQueue<string> journal, Node node, Func<ApplicationStart?>? start = null) : Application
    {
        public Pid Top { get; private set; }

        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            journal.Enqueue($"start {name} {startType} {args}");
            if (start is not null) return start()!;
            Top = (await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [ChildSpec.ForGenServer<TestServer>(Atom.Of("w"))], null, cancellationToken)).Pid;
            return ApplicationStart.Ok(Top, "s0");
        }

        public override Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue($"prep_stop {name} {state} tree_alive={node.IsAlive(Top)}");
            return Task.FromResult<object?>("s1");
        }

        public override Task StopAsync(object? state, CancellationToken cancellationToken)
        {
            journal.Enqueue($"stop {name} {state} tree_alive={node.IsAlive(Top)}");
            return Task.CompletedTask;
        }

        public override Task ConfigChangeAsync(IReadOnlyDictionary<string, object?> changed, IReadOnlyDictionary<string, object?> added, IReadOnlyList<string> removed, CancellationToken cancellationToken)
        {
            journal.Enqueue($"config_change changed=[{string.Join(",", changed.Keys.Order())}] new=[{string.Join(",", added.Keys.Order())}] removed=[{string.Join(",", removed.Order())}]");
            try
            {
                node.Applications.SetEnv(name, "x", 1);
            }
            catch (InvalidOperationException ex) when (ex.Message.StartsWith("calling_self", StringComparison.Ordinal))
            {
                journal.Enqueue("set_env calling_self");
            }
            return Task.CompletedTask;
        }
    }

    private TestApp App(string name, params string[] deps) => LoadApp(name, deps).App;

    private (TestApp App, ApplicationSpec Spec) LoadApp(string name, string[] deps, Func<ApplicationStart?>? start = null)
    {
        var app = new TestApp(name, _journal, _node, start);
        var spec = new ApplicationSpec(name)
        {
            Version = "1.0.0",
            Description = $"the {name} app",
            Applications = deps,
            Env = new Dictionary<string, object?> { ["port"] = 80, ["host"] = "h" },
            Mod = () => app,
            Args = "args",
        };
        _node.Applications.Load(spec).IsOk.Should().BeTrue();
        return (app, spec);
    }

    [Fact] // A1: the descriptor's keys; loading twice is refused
    public void Load_Descriptor_KeysKept_SecondLoadRefused()
    {
        var (_, spec) = LoadApp("a", []);
        _node.Applications.Load(spec).ToString().Should().Be("{error,{already_loaded,a}}");
        _node.Applications.TryGetEnv("a", "port", out var port).Should().BeTrue();
        port.Should().Be(80);
    }

    [Fact] // A2
    public async Task Start_ReturnsOk_NotStartedDependency_AlreadyStarted()
    {
        App("base");
        App("web", "base");
        (await _node.Applications.StartAsync("web")).ToString().Should().Be("{error,{not_started,base}}");
        (await _node.Applications.StartAsync("base")).IsOk.Should().BeTrue();
        (await _node.Applications.StartAsync("base")).ToString().Should().Be("{error,{already_started,base}}");
        (await _node.Applications.StartAsync("web")).IsOk.Should().BeTrue();
        _node.Applications.WhichApplications().Select(a => a.Name).Should().Equal("web", "base");
    }

    [Fact] // A2: ensure_all_started returns what it started, in start order; cycles are refused
    public async Task EnsureAllStarted_StartsDependenciesFirst_ReturnsNewlyStartedInOrder()
    {
        App("a");
        App("b", "a");
        App("c", "b", "a");
        await _node.Applications.StartAsync("a");
        var (result, started) = await _node.Applications.EnsureAllStartedAsync("c");
        result.IsOk.Should().BeTrue();
        started.Should().Equal("b", "c");
        App("x", "y");
        App("y", "x");
        (await _node.Applications.EnsureAllStartedAsync("x")).Result.ToString().Should().Contain("circular_dependencies");
    }

    [Fact] // A3: start(StartType, Args); {error, R} and bad returns are reported with the start MFA
    public async Task Start_CallbackErrors_AreWrappedWithStartMfa()
    {
        LoadApp("e", [], () => ApplicationStart.Failed(ExitReason.Of(Atom.Of("no_db"))));
        (await _node.Applications.StartAsync("e")).ToString().Should().Be("{error,{no_db,{e,start,[normal,\"args\"]}}}");
        _journal.Should().Equal("start e Normal args");
        LoadApp("bad", [], () => null);
        (await _node.Applications.StartAsync("bad")).ToString().Should().StartWith("{error,{bad_return,{{bad,start,");
        _node.Applications.WhichApplications().Should().BeEmpty();
    }

    [Fact] // A4: prep_stop while the tree lives, then the tree, then stop with prep_stop's state
    public async Task Stop_Sequence_PrepStopTreeStop()
    {
        var app = App("a");
        await _node.Applications.StartAsync("a");
        (await _node.Applications.StopAsync("a")).IsOk.Should().BeTrue();
        await _node.ExpectExitAsync(app.Top, ExitReason.Shutdown);
        _journal.Should().Equal("start a Normal args", "prep_stop a s0 tree_alive=True", "stop a s1 tree_alive=False");
    }

    [Fact] // A4: if the top supervisor dies on its own, prep_stop and stop still run, with the tree gone
    public async Task TreeDiesOnItsOwn_PrepStopAndStopStillRun()
    {
        var app = App("a");
        await _node.Applications.StartAsync("a");
        _node.Exit(app.Top, ExitReason.Kill);
        while (_journal.Count < 3) await Task.Yield();
        _journal.Skip(1).Should().Equal("prep_stop a s0 tree_alive=False", "stop a s1 tree_alive=False");
    }

    [Fact] // A5: stop returns not_started for an app not running; it does not stop dependents
    public async Task Stop_NotStartedError_DependentsKeepRunning()
    {
        App("b1");
        App("b2", "b1");
        (await _node.Applications.StopAsync("b1")).ToString().Should().Be("{error,{not_started,b1}}");
        await _node.Applications.EnsureAllStartedAsync("b2");
        (await _node.Applications.StopAsync("b1")).IsOk.Should().BeTrue();
        _node.Applications.WhichApplications().Select(a => a.Name).Should().Equal("b2");
        _node.Applications.Terminated.IsCompleted.Should().BeFalse(); // an explicit stop never shuts the node down
    }

    [Theory] // A6
    [InlineData(ApplicationType.Temporary, "boom", false)]
    [InlineData(ApplicationType.Transient, "normal", false)]
    [InlineData(ApplicationType.Transient, "shutdown", true)]
    [InlineData(ApplicationType.Permanent, "normal", true)]
    public async Task EndingOnItsOwn_NodeShutsDownByType(ApplicationType type, string reason, bool shutsDown)
    {
        App("other");
        await _node.Applications.StartAsync("other");
        var app = App("a");
        await _node.Applications.StartAsync("a", type);
        // The top supervisor ends by itself with the given reason (not through application:stop).
        await GenServer.StopAsync(app.Top, ExitReason.Of(Atom.Of(reason)));
        if (shutsDown)
        {
            var terminated = await _node.Applications.Terminated.Within();
            terminated.ToString().Should().StartWith("{application_terminated,a,");
            _node.Applications.WhichApplications().Should().BeEmpty(); // the other applications were stopped
        }
        else
        {
            while (_node.Applications.WhichApplications().Any(a => a.Name == "a")) await Task.Yield();
            _node.Applications.Terminated.IsCompleted.Should().BeFalse();
            _node.Applications.WhichApplications().Select(a => a.Name).Should().Equal("other");
        }
    }

    [Fact] // A7: on stop-all, applications stop in the reverse of the order they were actually started
    public async Task StopAll_ReverseOfActualStartOrder()
    {
        App("a");
        App("b");
        App("c");
        await _node.Applications.StartAsync("b");
        await _node.Applications.StartAsync("c");
        await _node.Applications.StartAsync("a");
        _journal.Clear();
        await _node.Applications.StopAllAsync();
        _journal.Where(j => j.StartsWith("stop", StringComparison.Ordinal)).Select(j => j.Split(' ')[1]).Should().Equal("a", "c", "b");
    }

    [Fact] // A8: config_change gets changed, new and removed keys (runtime sets count); set_env inside it is calling_self
    public async Task ChangeConfig_CallsConfigChange_ReentrantSetEnvFailsCallingSelf()
    {
        App("a");
        await _node.Applications.StartAsync("a");
        _node.Applications.SetEnv("a", "runtime_key", true);
        await _node.Applications.ChangeConfigAsync("a", new Dictionary<string, object?> { ["port"] = 8080, ["host"] = "h", ["tls"] = true });
        _journal.Should().Contain("config_change changed=[port] new=[tls] removed=[runtime_key]");
        _journal.Should().Contain("set_env calling_self");
    }

    [Fact] // A9
    public void GetEnv_ReturnsValueOrUndefined()
    {
        App("a");
        _node.Applications.TryGetEnv("a", "host", out var host).Should().BeTrue();
        host.Should().Be("h");
        _node.Applications.TryGetEnv("a", "missing", out _).Should().BeFalse();
        _node.Applications.TryGetEnv("nope", "host", out _).Should().BeFalse();
        _node.Applications.SetEnv("a", "missing", 5);
        _node.Applications.TryGetEnv("a", "missing", out var v).Should().BeTrue();
        v.Should().Be(5);
    }
}
