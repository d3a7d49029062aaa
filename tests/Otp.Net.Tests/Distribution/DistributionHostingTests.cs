using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;
using Otp.Net.Hosting;

namespace Otp.Net.Tests.Distribution;

/// <summary>A hosted node made distributed from configuration (<c>Otp:Distribution</c>), on Akka.NET.</summary>
public sealed class DistributionHostingTests
{
    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddOtp(_ => { });
        builder.Services.AddOtpDistribution(builder.Configuration.GetSection("Otp:Distribution"), o => o.Configure = d => d.Messages.Allow<Ping>());
        return builder;
    }

    [Fact]
    public async Task TheHostsNode_IsDistributedFromConfiguration_BeforeItsApplicationsStart_AndLeavesWithIt()
    {
        using var host = Builder(new()
        {
            ["Otp:Distribution:NodeName"] = "hosted@127.0.0.1",
            ["Otp:Distribution:Akka:Port"] = "0",
            ["Otp:Distribution:Akka:SplitBrainStrategy"] = "keep-oldest",
            ["Otp:Distribution:Akka:StableAfter"] = "00:00:05",
        }).Build();
        await host.StartAsync();
        var cluster = host.Services.GetRequiredService<Cluster>();
        cluster.Self.Name.Should().Be("hosted@127.0.0.1");
        cluster.Self.Creation.Should().NotBe(0);
        host.Services.GetRequiredService<Node>().Identity.Should().Be(cluster.Self);
        (await cluster.Global.RegisterNameAsync("solo", host.Services.GetRequiredService<Node>().Spawn(ctx => ctx.ReceiveAsync().AsTask()))).Should().BeTrue();
        await host.StopAsync();
        host.Services.GetRequiredService<Node>().Identity.Name.Should().Be("hosted@127.0.0.1", "the identity stays for the node's pids after it leaves");
    }

    [Theory]
    [InlineData("no-at-sign", "0", "keep-majority")]
    [InlineData("a@127.0.0.1", "70000", "keep-majority")]
    [InlineData("a@127.0.0.1", "0", "keep-everyone")]
    public async Task BadSettings_StopTheHostFromStarting_WithTheSettingNamed(string name, string port, string strategy)
    {
        using var host = Builder(new()
        {
            ["Otp:Distribution:NodeName"] = name,
            ["Otp:Distribution:Akka:Port"] = port,
            ["Otp:Distribution:Akka:SplitBrainStrategy"] = strategy,
        }).Build();
        var act = () => host.StartAsync();
        (await act.Should().ThrowAsync<Exception>()).Which.Should().Match<Exception>(e => e is OptionsValidationException || e is DistributionException);
    }
}
