using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Hosting;

/// <summary>Code-server modules as children (ChildSpec, builder, configuration) and the node's health checks.</summary>
public sealed class ModuleChildTests
{
    private static string Json(string value) => JsonSerializer.Serialize(value);

    private static async Task<Pid> ChildAsync(Node node, string supervisor, Pid not = default)
    {
        while (true)
        {
            var pid = (await Supervisor.WhichChildrenAsync(ServerRef.Named(node, supervisor))).Single().Pid;
            if (!pid.IsUndefined && pid != not) return pid;
        }
    }

    [Fact] // a module child declared in appsettings runs the module's current version and is upgraded live (C1, S8); a restart takes the new version
    public async Task AppSettings_ModuleChild_UpgradedLive_RestartRunsNewVersion()
    {
        var json = $$"""
        { "Otp": {
            "Modules": { "counter": {{Json(Fixtures.Counter(1))}} },
            "Applications": { "shop": { "Supervisor": { "Intensity": 5, "Children": [
              { "Id": "counter", "Module": "counter", "Args": 5, "Name": "counter" } ] } } } } }
        """;
        using var host = ConfigurationOptionsTests.BuildJson(json);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        var counter = ServerRef.Named(node, "counter");
        (await GenServer.CallAsync(counter, "version")).Should().Be("1");
        (await GenServer.CallAsync(counter, "incr")).Should().Be(6);
        var before = node.WhereIs("counter")!.Value;

        var report = await node.Code.UpgradeAsync("counter", Fixtures.Counter(2));
        report.Processes.Should().Be(1);
        node.WhereIs("counter").Should().Be(before); // the same process, now on v2
        (await GenServer.CallAsync(counter, "version")).Should().Be("2");
        (await GenServer.CallAsync(counter, "upgraded")).Should().Be(true);
        (await GenServer.CallAsync(counter, "state")).Should().Be(6);

        node.Exit(before, ExitReason.Kill);
        var restarted = await ChildAsync(node, "shop", not: before).Within();
        (await GenServer.CallAsync(restarted, "version")).Should().Be("2");
        (await GenServer.CallAsync(restarted, "state")).Should().Be(5);
        (await Supervisor.GetChildSpecAsync(node.WhereIs("shop")!.Value, Atom.Of("counter")))!.Modules.Should().Equal("counter");
        await host.StopAsync();
    }

    [Fact] // the builder form: LoadModule + SupervisorBuilder.Module
    public async Task Builder_ModuleChild_RunsCurrentVersion()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOtp(otp => otp
            .LoadModule("counter", Fixtures.Counter(1))
            .AddApplication("a", app => app.Supervisor(s => s.Module("c", "counter", 10, name: "c"))));
        using var host = builder.Build();
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        (await GenServer.CallAsync(ServerRef.Named(node, "c"), "incr")).Should().Be(11);
        node.Code.ProcessesRunning("counter", "1").Should().Equal(node.WhereIs("c")!.Value);
        await host.StopAsync();
    }

    [Fact] // a module file that does not exist: the host does not start, the error names the configuration path
    public async Task AppSettings_ModuleFileMissing_FailsStartNamingThePath()
    {
        var json = """{ "Otp": { "Modules": { "counter": "/nowhere/Counter.dll" } } }""";
        using var host = ConfigurationOptionsTests.BuildJson(json);
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle()
            .Which.Should().StartWith("Otp:Modules:counter: file not found");
    }

    [Fact] // a file that holds no module of that name: the load fails at start, naming where it was declared
    public async Task AppSettings_ModuleNameNotInAssembly_FailsStartNamingThePath()
    {
        var json = $$"""{ "Otp": { "Modules": { "kounter": {{Json(Fixtures.Counter(1))}} } } }""";
        using var host = ConfigurationOptionsTests.BuildJson(json);
        var act = () => host.StartAsync();
        var failure = (await act.Should().ThrowAsync<InvalidOperationException>()).Which;
        failure.Message.Should().StartWith("Otp:Modules:kounter: cannot load");
        failure.InnerException.Should().BeOfType<CodeLoadException>().Which.Kind.Should().Be(CodeErrorKind.NoModule);
    }

    [Fact] // ChildSpec.ForModule in a plain supervisor: follows upgrades; a module not loaded fails the start with {error, R}
    public async Task ChildSpecForModule_NotLoaded_StartFails_LoadedRunsIt()
    {
        await using var node = new Node();
        var missing = await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [ChildSpec.ForModule(Atom.Of("c"), "counter", 3)]);
        missing.IsOk.Should().BeFalse();
        missing.Error!.ToString().Should().Contain("counter");
        node.ProcessCount.Should().Be(0);

        await node.Code.LoadAsync(Fixtures.Counter(1));
        var sup = (await Supervisor.StartLinkAsync(node, new SupervisorFlags(), [ChildSpec.ForModule(Atom.Of("c"), "counter", 3, new GenServerOptions { Name = "c" })])).GetPidOrThrow();
        (await GenServer.CallAsync(ServerRef.Named(node, "c"), "incr")).Should().Be(4);
        (await Supervisor.WhichChildrenAsync(sup)).Single().Modules.Should().Equal("counter");
    }

    // ------------------------------------------------------------------ health

    private static IHost HealthHost(Action<OtpBuilder> otp)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new HostJournal());
        builder.Services.AddOtp(otp);
        builder.Services.AddHealthChecks().AddOtp();
        return builder.Build();
    }

    [Fact] // health: unhealthy before start, healthy while every application runs, unhealthy naming an application that stopped
    public async Task HealthCheck_ApplicationsRunning_HealthyThenUnhealthyWhenOneStops()
    {
        using var host = HealthHost(otp => otp
            .AddApplication("a", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w")))
            .AddApplication("b", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w"))));
        var health = host.Services.GetRequiredService<HealthCheckService>();
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Unhealthy);

        await host.StartAsync();
        var report = await health.CheckHealthAsync();
        report.Status.Should().Be(HealthStatus.Healthy);
        report.Entries["otp"].Data.Should().Contain("a", "running").And.Contain("b", "running");

        var node = host.Services.GetRequiredService<Node>();
        (await node.Applications.StopAsync("b")).IsOk.Should().BeTrue();
        report = await health.CheckHealthAsync();
        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["otp"].Description.Should().Be("b: not running");
        report.Entries["otp"].Data.Should().Contain("a", "running");

        await host.StopAsync();
        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Unhealthy);
    }

    [Fact] // health: a purged module version that something still holds is reported as degraded, naming it
    public async Task HealthCheck_PurgedVersionStillReferenced_Degraded()
    {
        using var host = HealthHost(otp => otp
            .LoadModule("counter", Fixtures.Counter(1))
            .AddApplication("a", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w"))));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        // Hold an object of v1's own assembly, as a leaked reference would: its load context cannot be collected.
        var held = HeldInstanceOfCurrent(node, "counter");
        await node.Code.LoadAsync(Fixtures.Counter(2));
        await node.Code.PurgeAsync("counter");
        node.Code.PendingUnload.Should().ContainSingle().Which.Version.Should().Be("1");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        report.Status.Should().Be(HealthStatus.Degraded);
        report.Entries["otp"].Description.Should().Contain("counter 1");
        GC.KeepAlive(held);
        await host.StopAsync();
    }

    private static object HeldInstanceOfCurrent(Node node, string module)
    {
        var modules = (System.Collections.IDictionary)typeof(CodeServer).GetField("_modules", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(node.Code)!;
        var entry = (ModuleEntry)modules[module]!;
        return entry.Current!.Instance!;
    }
}
