using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Tests.Hosting;

/// <summary>DI scopes per incarnation, children created through DI on demand, and hosted-service ordering.</summary>
public sealed class HostingDependencyTests
{
    private static IHost Build(Action<OtpBuilder> otp, Action<IServiceCollection>? before = null, Action<IServiceCollection>? after = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new HostJournal());
        builder.Services.AddSingleton(new ProbeLog());
        builder.Services.AddScoped<ScopedProbe>();
        before?.Invoke(builder.Services);
        builder.Services.AddOtp(otp);
        after?.Invoke(builder.Services);
        return builder.Build();
    }

    private static async Task<Pid> ChildAsync(Node node, string supervisor, Pid not = default)
    {
        while (true)
        {
            var pid = (await Supervisor.WhichChildrenAsync(ServerRef.Named(node, supervisor))).Single().Pid;
            if (!pid.IsUndefined && pid != not) return pid;
        }
    }

    [Fact] // a scoped child: its scope lives as long as the incarnation, is disposed when it exits, and a restart gets a fresh one
    public async Task ScopedChild_IncarnationExits_ScopeDisposed_RestartGetsFreshScope()
    {
        using var host = Build(otp => otp.AddApplication("a", app => app.Supervisor(s => s.Intensity(5).GenServer<ScopedWorker>("w", scoped: true))));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var log = host.Services.GetRequiredService<ProbeLog>();
        var first = await ChildAsync(node, "a");
        var firstProbe = log.Created.Single();
        (await GenServer.CallAsync(first, "probe")).Should().Be(firstProbe.Number);
        firstProbe.Disposed.Task.IsCompleted.Should().BeFalse();

        node.Exit(first, ExitReason.Kill);
        await firstProbe.Disposed.Task.Within();
        var second = await ChildAsync(node, "a", not: first).Within();
        var secondProbe = log.Created.Last();
        secondProbe.Should().NotBeSameAs(firstProbe);
        (await GenServer.CallAsync(second, "probe")).Should().Be(secondProbe.Number);
        secondProbe.Disposed.Task.IsCompleted.Should().BeFalse();

        await host.StopAsync();
        await secondProbe.Disposed.Task.Within();
    }

    [Fact] // without the opt-in, a child resolving a scoped service gets it from the root provider (one for all incarnations)
    public async Task UnscopedChild_Restart_SharesTheRootScopedService()
    {
        using var host = Build(otp => otp.AddApplication("a", app => app.Supervisor(s => s.Intensity(5).GenServer<ScopedWorker>("w"))));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var first = await ChildAsync(node, "a");
        var number = await GenServer.CallAsync(first, "probe");
        node.Exit(first, ExitReason.Kill);
        var second = await ChildAsync(node, "a", not: first).Within();
        (await GenServer.CallAsync(second, "probe")).Should().Be(number);
        host.Services.GetRequiredService<ProbeLog>().Created.Should().ContainSingle().Which.Disposed.Task.IsCompleted.Should().BeFalse();
        await host.StopAsync();
    }

    [Fact] // D1 with DI: StartChildAsync<TServer> creates the server from the host's services, scoped per incarnation
    public async Task StartChildAsync_DynamicChildThroughDI_ScopedAndDisposedWhenTerminated()
    {
        using var host = Build(otp => otp.AddApplication("a", app => app.Supervisor(s => s.DynamicSupervisor("pool", name: "pool"))));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var log = host.Services.GetRequiredService<ProbeLog>();
        var one = (await node.StartChildAsync<ScopedWorker>("pool", 1, scoped: true)).GetPidOrThrow();
        var two = (await node.StartChildAsync<ScopedWorker>(ServerRef.Named(node, "pool"), 2, scoped: true)).GetPidOrThrow();
        var probes = log.Created.ToArray();
        probes.Should().HaveCount(2);
        (await GenServer.CallAsync(one, "probe")).Should().Be(probes[0].Number);
        (await GenServer.CallAsync(two, "get")).Should().Be(2);
        (await DynamicSupervisor.TerminateChildAsync(ServerRef.Named(node, "pool"), one)).IsOk.Should().BeTrue();
        await probes[0].Disposed.Task.Within();
        probes[1].Disposed.Task.IsCompleted.Should().BeFalse();
        (await DynamicSupervisor.CountChildrenAsync(ServerRef.Named(node, "pool"))).Active.Should().Be(1);
        await host.StopAsync();
    }

    [Fact] // a server that DI cannot create: {error, R}, its scope disposed, the supervisor and its other children untouched
    public async Task StartChildAsync_ServiceMissing_ErrorAndScopeDisposed_SupervisorUnaffected()
    {
        using var host = Build(otp => otp.AddApplication("a", app => app.Supervisor(s => s.DynamicSupervisor("pool", name: "pool"))));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var pool = node.WhereIs("pool")!.Value;
        var ok = (await node.StartChildAsync<ScopedWorker>("pool", scoped: true)).GetPidOrThrow();
        var result = await node.StartChildAsync<NeedsUnregistered>("pool", scoped: true);
        result.IsOk.Should().BeFalse();
        result.Error!.ToString().Should().Contain("Unregistered");
        node.IsAlive(pool).Should().BeTrue();
        node.IsAlive(ok).Should().BeTrue();
        (await DynamicSupervisor.CountChildrenAsync(ServerRef.Named(node, "pool"))).Active.Should().Be(1);
        await host.StopAsync();
    }

    [Fact] // a node without services cannot create children through DI: a clear error, nothing started
    public async Task StartChildAsync_NodeWithoutServices_Throws()
    {
        await using var node = new Node();
        var act = () => node.StartChildAsync<ScopedWorker>("pool");
        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*no services*");
        node.ProcessCount.Should().Be(0);
    }

    [Fact] // IHostedLifecycleService: hosted services registered before or after AddOtp find the node running when they start, and can still call it when they stop
    public async Task HostedServices_RegisteredBeforeAndAfterAddOtp_SeeNodeRunningInStartAndStop()
    {
        using var host = Build(
            otp => otp.AddApplication("a", app => app.Supervisor(s => s.GenServer<InjectedWorker>("counter", 41, name: "counter"))),
            before: s => s.AddHostedService<EarlyClient>(),
            after: s => s.AddHostedService<LateClient>());
        var journal = host.Services.GetRequiredService<HostJournal>();
        await host.StartAsync();
        await host.StopAsync();
        journal.Lines.Should().Equal("init worker 41", "before start: 41", "after start: 41", "after stop: 41", "before stop: 41");
        host.Services.GetRequiredService<Node>().ProcessCount.Should().Be(0);
    }
}
