using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

/// <summary>A host whose node has a releases directory boots the permanent release as it starts (R1).</summary>
public sealed class ReleaseHostingTests : IDisposable
{
    private readonly ShopReleases _releases = new();

    public void Dispose() => _releases.Dispose();

    private IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddOtp(otp => otp.Node(o => o with { ReleasesDirectory = _releases.ReleasesDirectory }));
        return builder.Build();
    }

    [Fact] // R1: the first start boots the only release and makes it permanent; a later start boots the permanent one
    public async Task AddOtp_WithReleasesDirectory_BootsPermanentRelease()
    {
        var store = ReleaseStore.Open(_releases.ReleasesDirectory);
        await store.UnpackAsync(await _releases.PackAsync(ShopReleases.V1()), trust: null);

        using (var host = Build())
        {
            await host.StartAsync();
            var node = host.Services.GetRequiredService<Node>();
            node.Releases.CurrentVersion.Should().Be("1.0");
            (await GenServer.CallAsync(ServerRef.Named(node, "cart"), "version")).Should().Be("1");
            await node.Releases.UnpackAsync(await _releases.PackAsync(ShopReleases.V2()));
            await node.Releases.InstallAsync("2.0");
            await node.Releases.MakePermanentAsync("2.0");
            await host.StopAsync();
        }

        using (var host = Build())
        {
            await host.StartAsync();
            var node = host.Services.GetRequiredService<Node>();
            node.Releases.CurrentVersion.Should().Be("2.0");
            (await GenServer.CallAsync(ServerRef.Named(node, "cart"), "version")).Should().Be("2");
            node.Applications.WhichApplications().Select(a => a.Name).Should().BeEquivalentTo("shop", "reports");
            await host.StopAsync();
        }
    }

    [Fact] // a directory with no release boots nothing; the node runs as without one
    public async Task AddOtp_WithEmptyReleasesDirectory_StartsWithoutRelease()
    {
        using var host = Build();
        await host.StartAsync();
        host.Services.GetRequiredService<Node>().Releases.CurrentVersion.Should().BeNull();
        await host.StopAsync();
    }

    [Fact] // R1: under AddOtp, Otp:Node:ControlSocket from configuration opens the socket; the host's stop closes it
    public async Task AddOtp_ControlSocketFromConfiguration_AnswersAndIsRemovedAtStop()
    {
        var store = ReleaseStore.Open(_releases.ReleasesDirectory);
        await store.UnpackAsync(await _releases.PackAsync(ShopReleases.V1()), trust: null);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Otp:Node:ReleasesDirectory"] = _releases.ReleasesDirectory,
            ["Otp:Node:ControlSocket"] = _releases.ControlSocket,
        });
        builder.Services.AddOtp(otp => otp.AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
        using var host = builder.Build();
        await host.StartAsync();
        var which = await new ReleaseControlClient(_releases.ControlSocket).RunAsync(new ControlRequest(ControlCommand.Which));
        which.Releases!.Should().ContainSingle().Which.Should().Be(new ReleaseInfo("shop", "1.0", ReleaseStatus.Permanent));
        await host.StopAsync();
        host.Dispose();
        File.Exists(_releases.ControlSocket).Should().BeFalse();
    }
}
