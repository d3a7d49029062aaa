using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Otp.Net.Hosting;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>Where the dashboard is mapped: two prefixes, a prefix without its slash, a path base.</summary>
public sealed class MappingProbes
{
    [Fact]
    public async Task TwoPrefixesOnOneApp_EachServesItsPageApiAndStream()
    {
        await using var host = await ProbeHost.StartAsync(
            otp => otp.AddApplication("shop", a => a.Supervisor(s => s.GenServer<ProbeWorker>("clerk", name: "clerk"))),
            prefixes: ["/otp", "/ops/dash"]);
        foreach (var prefix in new[] { "/otp", "/ops/dash" })
        {
            var page = await host.Client.GetStringAsync(prefix + "/");
            page.Should().Contain($"<meta name=\"otp-base\" content=\"{prefix}\">");
            page.Should().Contain($"src=\"{prefix}/assets/app.js\"");
            (await host.Client.GetAsync(prefix + "/assets/app.js")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await host.JsonAsync(prefix + "/api/trees")).GetArrayLength().Should().Be(1);
        }
        await using var first = await Api.EventStreamReader.OpenAsync(host.NewClient(), "/otp/api/events");
        await using var second = await Api.EventStreamReader.OpenAsync(host.NewClient(), "/ops/dash/api/events");
        var clerk = host.Node.WhereIs("clerk")!.Value;
        host.Node.Exit(clerk, Processes.ExitReason.Kill);
        await first.WaitForAsync("restarted", e => e.GetProperty("childId").GetString() == "clerk", ProbeHost.Safety);
        await second.WaitForAsync("restarted", e => e.GetProperty("childId").GetString() == "clerk", ProbeHost.Safety);
    }

    [Theory]
    [InlineData("otp")]
    [InlineData("otp/")]
    public async Task APrefixWithoutItsLeadingSlash_IsAClearArgumentException(string prefix)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOtp(_ => { });
        builder.Services.AddOtpDashboard();
        await using var app = builder.Build();
        var map = () => app.MapOtpDashboard(prefix);
        map.Should().Throw<ArgumentException>().Which.Message.Should().Contain("must start with '/'");
    }

    [Fact]
    public async Task UnderAPathBase_ThePageAndItsAssetsCarryIt()
    {
        await using var host = await ProbeHost.StartAsync(pathBase: "/app");
        var page = await host.Client.GetStringAsync("/app/otp/");
        page.Should().Contain("<meta name=\"otp-base\" content=\"/app/otp\">");
        page.Should().Contain("href=\"/app/otp/assets/app.css\"");
        page.Should().Contain("src=\"/app/otp/assets/app.js\"");
        (await host.Client.GetAsync("/app/otp/assets/app.js")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.JsonAsync("/otp/api/node")).GetProperty("processCount").GetInt32().Should().BeGreaterThanOrEqualTo(0);
        await using var events = await Api.EventStreamReader.OpenAsync(host.Client, "/app/otp/api/events");
    }
}
