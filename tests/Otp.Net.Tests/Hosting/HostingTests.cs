using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Otp.Net.Applications;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Hosting;

/// <summary>A journal shared by the hosted applications of a test.</summary>
public sealed class HostJournal
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public TaskCompletionSource PrepStopRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool HangInPrepStop { get; set; }
}

/// <summary>A GenServer created with constructor injection from the host's services.</summary>
public sealed class InjectedWorker(HostJournal journal) : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        journal.Lines.Enqueue($"init worker {args}");
        return Ok(args is int n ? n : 0);
    }

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(state, state);
}

/// <summary>An application callback that journals PrepStop and Stop (and can hang in PrepStop).</summary>
public sealed class JournalApp(HostJournal journal) : SupervisedApplication
{
    public override async Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken)
    {
        journal.Lines.Enqueue($"prep_stop tree_alive={ProcessContext.Current!.Node.IsAlive(TopSupervisor)}");
        if (journal.HangInPrepStop) await journal.PrepStopRelease.Task;
        return state;
    }

    public override Task StopAsync(object? state, CancellationToken cancellationToken)
    {
        journal.Lines.Enqueue("stop");
        return Task.CompletedTask;
    }
}

/// <summary>A worker that counts calls in a field of the callback object (so a reused object would show it).</summary>
public sealed class CountingWorker : GenServer<int>
{
    private int _calls;

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(++_calls, state);
}

public sealed class HostingTests
{
    private static IHost Build(Action<OtpBuilder> otp, HostJournal journal, IDictionary<string, string?>? config = null, TimeSpan? shutdownTimeout = null) =>
        Build((o, _) => otp(o), journal, config, shutdownTimeout);

    private static IHost Build(Action<OtpBuilder, IConfiguration> otp, HostJournal journal, IDictionary<string, string?>? config = null, TimeSpan? shutdownTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (config is not null) builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton(journal);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(10));
        builder.Services.AddOtp(o => otp(o, builder.Configuration));
        return builder.Build();
    }

    [Fact] // host lifecycle: dependencies first, behaviours by DI, PrepStop while the tree lives, then Stop (A4, A7)
    public async Task Host_StartsApplicationsAfterDependencies_AndStopsThemInReverse()
    {
        var journal = new HostJournal();
        using var host = Build(otp => otp
            .AddApplication("web", app => app.DependsOn("db").UseCallback<JournalApp>()
                .Supervisor(s => s.GenServer<InjectedWorker>("w", 2)))
            .AddApplication("db", app => app.Supervisor(s => s.Strategy(Strategy.OneForAll).Intensity(3).GenServer<InjectedWorker>("d", 1))), journal);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        node.Applications.WhichApplications().Select(a => a.Name).Should().Equal("web", "db");
        journal.Lines.Should().Equal("init worker 1", "init worker 2");
        await host.StopAsync();
        journal.Lines.Skip(2).Should().Equal("prep_stop tree_alive=True", "stop");
        node.ProcessCount.Should().Be(0);
    }

    [Fact] // host lifecycle: a dependency that is not declared fails the host's start with the reason
    public async Task Host_MissingDependency_FailsToStart()
    {
        using var host = Build(otp => otp.AddApplication("web", app => app.DependsOn("nowhere").Supervisor(s => s)), new HostJournal());
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("not_loaded");
    }

    [Fact] // host lifecycle: a PrepStop that hangs is cut off at HostOptions.ShutdownTimeout, and every process is killed
    public async Task Host_HungPrepStop_CutOffAtShutdownTimeout()
    {
        var journal = new HostJournal { HangInPrepStop = true };
        using var host = Build(otp => otp.AddApplication("a", app => app.UseCallback<JournalApp>().Supervisor(s => s.GenServer<InjectedWorker>("w"))),
            journal, shutdownTimeout: TimeSpan.FromMilliseconds(300));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        await host.StopAsync().Within();
        journal.Lines.Should().Contain("prep_stop tree_alive=True").And.NotContain("stop");
        node.ProcessCount.Should().Be(0);
        journal.PrepStopRelease.SetResult();
    }

    [Fact] // A6 through the host: a permanent application whose tree dies stops the host
    public async Task Host_PermanentApplicationDies_HostStops()
    {
        var journal = new HostJournal();
        using var host = Build(otp => otp.AddApplication("a", app => app.AsType(ApplicationType.Permanent).Supervisor(s => s.GenServer<InjectedWorker>("w"))), journal);
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource();
        lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        var node = host.Services.GetRequiredService<Node>();
        node.Exit(node.WhereIs("a")!.Value, ExitReason.Kill);
        await stopping.Task.Within();
        (await node.Applications.Terminated).ToString().Should().Be("{application_terminated,a,killed}");
    }

    [Fact] // child ids are local to their supervisor: two applications may both have a "workers" child; names are explicit
    public async Task Host_TwoApplicationsWithSameChildIds_BothStart_OnlyDeclaredNamesRegistered()
    {
        var journal = new HostJournal();
        using var host = Build(otp => otp
            .AddApplication("a", app => app.Supervisor(s => s.DynamicSupervisor("workers").Supervisor("inner", i => i.GenServer<InjectedWorker>("w", 1))))
            .AddApplication("b", app => app.Supervisor(s => s.DynamicSupervisor("workers", name: "b_workers").Supervisor("inner", i => i.GenServer<InjectedWorker>("w", 2)))),
            journal);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        node.Applications.WhichApplications().Select(a => a.Name).Should().BeEquivalentTo("a", "b");
        node.WhereIs("workers").Should().BeNull();
        node.WhereIs("inner").Should().BeNull();
        (await DynamicSupervisor.CountChildrenAsync(ServerRef.Named(node, "b_workers"))).Specs.Should().Be(0);
        (await SupervisionTree.SnapshotAsync(node.WhereIs("a")!.Value)).Children.Select(c => c.Id).Should().Equal((ChildId)"inner", "workers");
        await host.StopAsync();
    }

    [Fact] // AddOtp called twice adds to the same node: nothing declared by the first call is dropped
    public async Task AddOtp_CalledTwice_MergesApplicationsAndNodeAdjustments_DuplicateNameRefused()
    {
        var journal = new HostJournal();
        var adjusted = new List<string>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(journal);
        builder.Services.AddOtp(otp => otp
            .Node(o => { adjusted.Add("first"); return o; })
            .AddApplication("one", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w", 1))));
        builder.Services.AddOtp(otp => otp
            .Node(o => { adjusted.Add("second"); return o; })
            .AddApplication("two", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w", 2))));
        FluentActions.Invoking(() => builder.Services.AddOtp(otp => otp.AddApplication("one", app => app)))
            .Should().Throw<ArgumentException>().WithMessage("*one*already declared*");
        using var host = builder.Build();
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        node.Applications.WhichApplications().Select(a => a.Name).Should().BeEquivalentTo("one", "two");
        adjusted.Should().Equal("first", "second");
        builder.Services.Count(d => d.ServiceType == typeof(Node)).Should().Be(1);
        await host.StopAsync();
    }

    [Fact] // let it crash: a restarted DI-created child is a new instance
    public async Task Host_RestartedGenServer_IsNewInstance()
    {
        var journal = new HostJournal();
        using var host = Build(otp => otp.AddApplication("a", app => app.Supervisor(s => s.Intensity(5).GenServer<CountingWorker>("w"))), journal);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var first = (await Supervisor.WhichChildrenAsync(node.WhereIs("a")!.Value)).Single().Pid;
        (await GenServer.CallAsync(first, "bump")).Should().Be(1);
        var gone = node.WaitForExitAsync(first);
        node.Exit(first, ExitReason.Kill);
        await gone.Within();
        async Task<Pid> RestartedAsync()
        {
            while (true)
            {
                var pid = (await Supervisor.WhichChildrenAsync(node.WhereIs("a")!.Value)).Single().Pid;
                if (!pid.IsUndefined && pid != first) return pid;
            }
        }
        var second = await RestartedAsync().Within();
        (await GenServer.CallAsync(second, "bump")).Should().Be(1);
        await host.StopAsync();
    }

    [Fact] // a host configured only through configuration runs a two-level tree
    public async Task Host_ConfiguredThroughConfiguration_RunsTwoLevelTree()
    {
        var worker = typeof(InjectedWorker).AssemblyQualifiedName!;
        var config = new Dictionary<string, string?>
        {
            ["Otp:Applications:shop:Version"] = "2.1.0",
            ["Otp:Applications:shop:Type"] = "Transient",
            ["Otp:Applications:shop:Supervisor:Strategy"] = "RestForOne",
            ["Otp:Applications:shop:Supervisor:Intensity"] = "4",
            ["Otp:Applications:shop:Supervisor:Children:0:Id"] = "inner",
            ["Otp:Applications:shop:Supervisor:Children:0:Kind"] = "Supervisor",
            ["Otp:Applications:shop:Supervisor:Children:0:Name"] = "inner",
            ["Otp:Applications:shop:Supervisor:Children:0:Children:0:Id"] = "a",
            ["Otp:Applications:shop:Supervisor:Children:0:Children:0:GenServer"] = worker,
            ["Otp:Applications:shop:Supervisor:Children:0:Children:0:Args"] = "7",
            ["Otp:Applications:shop:Supervisor:Children:0:Children:0:Restart"] = "Transient",
            ["Otp:Applications:shop:Supervisor:Children:0:Children:0:Shutdown"] = "brutal_kill",
            ["Otp:Applications:shop:Supervisor:Children:1:Id"] = "pool",
            ["Otp:Applications:shop:Supervisor:Children:1:Kind"] = "DynamicSupervisor",
            ["Otp:Applications:shop:Supervisor:Children:1:MaxChildren"] = "5",
        };
        var host = Build((otp, configuration) => otp.AddApplicationsFrom(configuration.GetSection("Otp")), new HostJournal(), config);
        using (host)
        {
            await host.StartAsync();
            var node = host.Services.GetRequiredService<Node>();
            node.Applications.WhichApplications().Should().ContainSingle().Which.Version.Should().Be("2.1.0");
            var tree = await SupervisionTree.SnapshotAsync(node.WhereIs("shop")!.Value);
            // Ids read from configuration are the ids code writes as strings or atoms.
            tree.Children.Select(c => c.Id).Should().Equal((ChildId)"pool", (ChildId)Atom.Of("inner"));
            var a = tree.Children.Single(c => c.Id == "inner").Children.Single();
            a.Id.ToString().Should().Be("a");
            a.Restart.Should().Be(RestartType.Transient);
            (await GenServer.CallAsync(a.Pid, "get")).Should().Be(7);
            (await Supervisor.GetChildSpecAsync(node.WhereIs("inner")!.Value, "a"))!.EffectiveShutdown.Should().Be(Shutdown.BrutalKill);
            await host.StopAsync();
        }
    }
}
