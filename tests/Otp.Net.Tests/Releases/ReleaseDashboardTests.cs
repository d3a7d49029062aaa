using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otp.Net.Dashboard;
using Otp.Net.GenServers;

namespace Otp.Net.Tests.Releases;

/// <summary>The dashboard's releases view and actions over a node running the shop releases.</summary>
public sealed class ReleaseDashboardTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ShopReleases _releases = new();
    private Node _node = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _node = await _releases.BootV1Async();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_node);
        builder.Services.AddAuthorization(o => o.AddPolicy("release-managers", p => p.RequireAssertion(_ => true)));
        builder.Services.AddOtpDashboard(o =>
        {
            o.EnableActions = true;
            o.UpgradePolicy = "release-managers";
        });
        _app = builder.Build();
        _app.UseAuthorization();
        _app.MapOtpDashboard("/otp");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _node.Dispose();
        _releases.Dispose();
    }

    private Task<object?> Cart(object request) => GenServer.CallAsync(ServerRef.Named(_node, "cart"), request, Wait);

    private async Task<HttpResponseMessage> PostAsync(string path)
    {
        // TestServer's client keeps no cookies: carry the antiforgery cookie by hand.
        using var tokenResponse = await _client.GetAsync("/otp/api/antiforgery");
        var token = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new { }) };
        request.Headers.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        request.Headers.Add("Cookie", string.Join("; ", tokenResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        return await _client.SendAsync(request);
    }

    [Fact] // R1, R3: statuses, the plan and its rehearsal, an install streamed step by step, the way back to the permanent release
    public async Task Releases_PlanInstallStreamAndRollback()
    {
        var releases = await _client.GetFromJsonAsync<JsonElement>("/otp/api/releases");
        releases.GetProperty("enabled").GetBoolean().Should().BeTrue();
        releases.GetProperty("current").GetString().Should().Be("1.0");
        releases.GetProperty("releases").EnumerateArray().ToDictionary(r => r.GetProperty("version").GetString()!, r => r.GetProperty("status").GetString())
            .Should().Equal(new Dictionary<string, string?> { ["1.0"] = "permanent", ["2.0"] = "unpacked" });

        var plan = await _client.GetFromJsonAsync<JsonElement>("/otp/api/releases/2.0/plan");
        plan.GetProperty("from").GetString().Should().Be("1.0");
        plan.GetProperty("direction").GetString().Should().Be("upgrade");
        plan.GetProperty("instructions").EnumerateArray().Select(i => i.GetString()).Should().Contain(i => i!.StartsWith("suspend", StringComparison.Ordinal));
        plan.GetProperty("processes").EnumerateArray().Should().NotBeEmpty().And.OnlyContain(p => p.GetProperty("ok").GetBoolean());
        plan.GetProperty("problems").GetArrayLength().Should().Be(0);
        (await Cart("version")).Should().Be("1", "a plan changes nothing");

        using var stream = await _client.GetAsync("/otp/api/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync())!.Should().StartWith("retry:");
        using (var install = await PostAsync("/otp/api/releases/2.0/install"))
        {
            install.StatusCode.Should().Be(HttpStatusCode.OK, await install.Content.ReadAsStringAsync());
        }
        (await Cart("version")).Should().Be("2");
        // Each step was published as the install went: the journal has them all, and the stream carries the same.
        var journal = (await _client.GetFromJsonAsync<JsonElement>("/otp/api/releases")).GetProperty("journal");
        journal.GetArrayLength().Should().BePositive();
        var steps = new List<JsonElement>();
        using (var cts = new CancellationTokenSource(Wait))
        {
            while (steps.Count < journal.GetArrayLength())
            {
                var line = await reader.ReadLineAsync(cts.Token);
                if (line == "event: release") steps.Add(JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!["data: ".Length..]).RootElement.Clone());
            }
        }
        steps.Should().OnlyContain(s => s.GetProperty("version").GetString() == "2.0");
        steps.Select(s => s.GetProperty("step").GetString()).Should().Equal(journal.EnumerateArray().Select(j => j.GetProperty("step").GetString()));
        steps.Select(s => s.GetProperty("step").GetString()).Should().Contain(s => s!.StartsWith("suspend", StringComparison.Ordinal));

        using (var rollback = await PostAsync("/otp/api/releases/rollback"))
        {
            rollback.StatusCode.Should().Be(HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
        }
        (await Cart("version")).Should().Be("1");
        using (var again = await PostAsync("/otp/api/releases/rollback"))
        {
            again.StatusCode.Should().Be(HttpStatusCode.Conflict, "1.0 is current and permanent: nothing to roll back");
        }
        using (var unknown = await PostAsync("/otp/api/releases/9.9/install")) unknown.StatusCode.Should().Be(HttpStatusCode.Conflict);
        using (var badPlan = await _client.GetAsync("/otp/api/releases/9.9/plan")) badPlan.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }
}
