using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otp.Net.Hosting;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>Stopping a real (Kestrel) host while a dashboard tab keeps its event stream open.</summary>
public sealed class ShutdownProbes
{
    [Fact]
    public async Task AnOpenEventStream_DoesNotHoldUpTheHostsShutdown()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddOtp(_ => { });
        builder.Services.AddOtpDashboard();
        await using var app = builder.Build();
        app.MapOtpDashboard();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = ProbeHost.Safety };
        await using var events = await Api.EventStreamReader.OpenAsync(client);
        var watch = Stopwatch.StartNew();
        await app.StopAsync();
        watch.Stop();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "an open dashboard tab should not make the host wait for its shutdown timeout");
    }
}
