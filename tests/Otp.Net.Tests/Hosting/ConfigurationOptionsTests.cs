using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Hosting;

/// <summary>Supervision trees bound from configuration through the options pattern, and checked when the host starts.</summary>
public sealed class ConfigurationOptionsTests
{
    private static readonly string Worker = $"{typeof(InjectedWorker).FullName}, Otp.Net.Tests";

    private static IHost Build(IDictionary<string, string?> config, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton(new HostJournal());
        services?.Invoke(builder.Services);
        builder.Services.AddOtp(otp => otp.AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
        return builder.Build();
    }

    internal static IHost BuildJson(string json, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddSingleton(new HostJournal());
        builder.Services.AddSingleton(new ProbeLog());
        services?.Invoke(builder.Services);
        builder.Services.AddOtp(otp => otp.AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
        return builder.Build();
    }

    /// <summary>A valid three-child tree, then the test's changes.</summary>
    private static Dictionary<string, string?> Shop(params (string Key, string? Value)[] changes)
    {
        var config = new Dictionary<string, string?>
        {
            ["Otp:Applications:shop:Supervisor:Strategy"] = "OneForOne",
            ["Otp:Applications:shop:Supervisor:Children:0:Id"] = "a",
            ["Otp:Applications:shop:Supervisor:Children:0:GenServer"] = Worker,
            ["Otp:Applications:shop:Supervisor:Children:1:Id"] = "b",
            ["Otp:Applications:shop:Supervisor:Children:1:GenServer"] = Worker,
            ["Otp:Applications:shop:Supervisor:Children:2:Id"] = "c",
            ["Otp:Applications:shop:Supervisor:Children:2:GenServer"] = Worker,
        };
        foreach (var (key, value) in changes) config["Otp:Applications:shop:Supervisor:" + key] = value;
        return config;
    }

    public static TheoryData<string, string, string, string> InvalidTrees() => new()
    {
        // key under the shop's top supervisor, value, path the error names, a word of the message
        { "Strategy", "Sideways", "Otp:Applications:shop:Supervisor:Strategy", "Strategy" },
        { "Children:2:Restart", "Sometimes", "Otp:Applications:shop:Supervisor:Children:2:Restart", "RestartType" },
        { "Children:2:Restart", "7", "Otp:Applications:shop:Supervisor:Children:2:Restart", "restart type" },
        { "Children:2:Restartt", "Transient", "Otp:Applications:shop:Supervisor:Children:2:Restartt", "unknown key" },
        { "Children:2:Id", "a", "Otp:Applications:shop:Supervisor:Children:2:Id", "duplicate child id 'a'" },
        { "Children:3:Id", "m", "Otp:Applications:shop:Supervisor:Children:3", "needs a GenServer type or a Module" },
        { "Children:1:Scoped", "maybe", "Otp:Applications:shop:Supervisor:Children:1:Scoped", "Boolean" },
        { "Children:1", "w", "Otp:Applications:shop:Supervisor:Children:1", "expected a section" },
        { "Children:1:Shutdown", "soon", "Otp:Applications:shop:Supervisor:Children:1:Shutdown", "not a shutdown" },
        { "Children:1:GenServer", "No.Such.Server, Nowhere", "Otp:Applications:shop:Supervisor:Children:1:GenServer", "not found" },
        { "Children:1:GenServer", $"{typeof(HostJournal).FullName}, Otp.Net.Tests", "Otp:Applications:shop:Supervisor:Children:1:GenServer", "not a concrete GenServer" },
        { "Children:1:Args:Capacity", "3", "Otp:Applications:shop:Supervisor:Children:1:Args", "ArgsType" },
        { "Children:1:ArgsType", "No.Such.Settings", "Otp:Applications:shop:Supervisor:Children:1:ArgsType", "not found" },
        { "Intensity", "-1", "Otp:Applications:shop:Supervisor:Intensity", "0 or more" },
        { "Intensity", "many", "Otp:Applications:shop:Supervisor:Intensity", "Int32" },
        { "Children:0:Children:0:Id", "x", "Otp:Applications:shop:Supervisor:Children:0:Children", "no children" },
        { "Children:1:Kind", "DynamicSupervisor", "Otp:Applications:shop:Supervisor:Children:1:GenServer", "only a GenServer child" },
    };

    [Theory] // every bad tree fails the host's start with an OptionsValidationException naming the path; nothing runs
    [MemberData(nameof(InvalidTrees))]
    public async Task Options_InvalidTree_FailsStartNamingThePath_NothingStarted(string key, string value, string path, string word)
    {
        using var host = Build(Shop((key, value)));
        var act = () => host.StartAsync();
        var failure = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.OptionsType.Should().Be<OtpOptions>();
        failure.Failures.Should().Contain(f => f.Contains(path, StringComparison.Ordinal) && f.Contains(word, StringComparison.OrdinalIgnoreCase));
        var node = host.Services.GetRequiredService<Node>();
        node.Applications.WhichApplications().Should().BeEmpty();
        node.ProcessCount.Should().Be(0);
    }

    [Fact] // a child naming a module that is neither declared nor loaded
    public async Task Options_ModuleChildOfUnknownModule_FailsStartNamingThePath()
    {
        using var host = Build(Shop(("Children:3:Id", "m"), ("Children:3:Module", "nosuch")));
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures
            .Should().ContainSingle(f => f.StartsWith("Otp:Applications:shop:Supervisor:Children:3:Module:", StringComparison.Ordinal) && f.Contains("nosuch"));
    }

    [Fact] // unknown keys are errors at every level, each with its own path, all reported at once
    public async Task Options_UnknownKeysAtEveryLevel_AllReportedWithPaths()
    {
        var config = Shop(("Children:0:Colour", "red"));
        config["Otp:Applications:shop:Versoin"] = "1.0";
        config["Otp:Bogus"] = "1";
        config["Otp:Node:Tracer"] = "x";
        using var host = Build(config);
        var act = () => host.StartAsync();
        var failures = (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.ToArray();
        failures.Should().HaveCount(4);
        failures.Should().Contain(f => f.StartsWith("Otp:Applications:shop:Supervisor:Children:0:Colour: unknown key", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("Otp:Applications:shop:Versoin: unknown key", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("Otp:Bogus: unknown key", StringComparison.Ordinal))
            .And.Contain(f => f.StartsWith("Otp:Node:Tracer: unknown key", StringComparison.Ordinal));
    }

    [Fact] // an application declared both in code and in configuration
    public async Task Options_ApplicationAlsoDeclaredInCode_FailsStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Shop());
        builder.Services.AddSingleton(new HostJournal());
        builder.Services.AddOtp(otp => otp
            .AddApplication("shop", app => app.Supervisor(s => s.GenServer<InjectedWorker>("w")))
            .AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
        using var host = builder.Build();
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle(f => f.StartsWith("Otp:Applications:shop: application shop is also declared in code", StringComparison.Ordinal));
    }

    [Fact] // ConfigurationTrees.Read checks the same way, without a host
    public void Read_InvalidSection_ThrowsWithPaths()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(Shop(("Children:2:Id", "a"))).Build();
        FluentActions.Invoking(() => ConfigurationTrees.Read(config.GetSection("Otp"))).Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().ContainSingle().Which.Should().StartWith("Otp:Applications:shop:Supervisor:Children:2:Id: duplicate child id 'a'");
    }

    [Fact] // arguments of any bindable type: a record with a list and a TimeSpan, bound from a JSON appsettings section
    public async Task Options_ArgsWithArgsType_BoundToThatType()
    {
        var json = $$"""
        { "Otp": { "Applications": { "shop": { "Supervisor": { "Children": [
          { "Id": "settings", "GenServer": "{{typeof(SettingsServer).FullName}}, Otp.Net.Tests", "Name": "settings",
            "ArgsType": "{{typeof(ShopSettings).FullName}}, Otp.Net.Tests",
            "Args": { "Currency": "CHF", "Capacity": 12, "Tags": [ "a", "b" ], "Timeout": "00:00:03" } },
          { "Id": "plain", "GenServer": "{{typeof(SettingsServer).FullName}}, Otp.Net.Tests", "Name": "plain", "Args": "hello" },
          { "Id": "typed", "GenServer": "{{typeof(SettingsServer).FullName}}, Otp.Net.Tests", "Name": "typed", "Args": "2.5", "ArgsType": "System.Double" } ] } } } } }
        """;
        using var host = BuildJson(json);
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        (await GenServer.CallAsync(ServerRef.Named(node, "settings"), "get")).Should()
            .BeEquivalentTo(new ShopSettings { Currency = "CHF", Capacity = 12, Tags = ["a", "b"], Timeout = TimeSpan.FromSeconds(3) });
        (await GenServer.CallAsync(ServerRef.Named(node, "plain"), "get")).Should().Be("hello");
        (await GenServer.CallAsync(ServerRef.Named(node, "typed"), "get")).Should().Be(2.5);
        await host.StopAsync();
    }

    [Fact] // unknown keys inside typed arguments are errors too
    public async Task Options_ArgsWithUnknownKey_FailsStart()
    {
        using var host = Build(Shop(("Children:1:ArgsType", $"{typeof(ShopSettings).FullName}, Otp.Net.Tests"), ("Children:1:Args:Capacityy", "3")));
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures
            .Should().ContainSingle(f => f.StartsWith("Otp:Applications:shop:Supervisor:Children:1:Args: cannot bind", StringComparison.Ordinal) && f.Contains("Capacityy"));
    }

    [Fact] // Configure<NodeOptions>: the Otp:Node section and services.Configure reach the node
    public async Task NodeOptions_FromOtpNodeSectionAndConfigure_ReachTheNode()
    {
        var config = Shop();
        config["Otp:Node:ShutdownTimeout"] = "00:00:07";
        using var host = Build(config, services => services.Configure<NodeOptions>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["HandOff"] = "false" }).Build()));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        node.Options.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(7));
        node.Options.HandOff.Should().BeFalse();
        node.Options.Services!.GetService<HostJournal>().Should().BeSameAs(host.Services.GetRequiredService<HostJournal>());
        node.Options.LoggerFactory.Should().BeSameAs(host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        await host.StopAsync();
    }

    [Fact] // Configure<OtpOptions> in code: the same options, checked the same way (paths as if from the Otp section)
    public async Task OtpOptions_ConfiguredInCode_StartsAndIsValidated()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(new HostJournal());
        builder.Services.AddOtp(_ => { });
        builder.Services.Configure<OtpOptions>(o =>
        {
            var top = new ChildOptions { Strategy = Strategy.OneForAll };
            top.Children.Add(new ChildOptions { Id = "w", GenServer = Worker, Name = "w" });
            o.Applications["coded"] = new ApplicationOptions { Supervisor = top, Version = "3.0.0" };
        });
        using var host = builder.Build();
        await host.StartAsync();
        var node = host.Services.GetRequiredService<Node>();
        node.Applications.WhichApplications().Should().ContainSingle().Which.Version.Should().Be("3.0.0");
        (await SupervisionTree.SnapshotAsync(node.WhereIs("coded")!.Value)).Children.Single().Id.Should().Be((ChildId)"w");
        await host.StopAsync();

        builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOtp(_ => { });
        builder.Services.Configure<OtpOptions>(o => o.Applications["bad"] = new ApplicationOptions { Supervisor = { Children = { new ChildOptions { GenServer = Worker } } } });
        using var bad = builder.Build();
        var act = () => bad.StartAsync();
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().ContainSingle().Which.Should().StartWith("Otp:Applications:bad:Supervisor:Children:0:Id:");
    }
}
