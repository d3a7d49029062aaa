using Microsoft.AspNetCore.Builder;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>The read side of the API: every endpoint's shape, state shown only through an opted-in FormatStatus, the host guard.</summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private ApiHost _host = null!;

    public async Task InitializeAsync() => _host = await ApiHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _host.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Node_HasUptimeCountsGcThreadPoolMeter_AndNoCapabilityWhenReadOnly()
    {
        var node = await GetAsync("/otp/api/node");
        node.GetProperty("processCount").GetInt32().Should().BeGreaterThanOrEqualTo(5); // app master(s), shop, workers, vault, teller
        node.GetProperty("uptimeSeconds").GetDouble().Should().BeGreaterThanOrEqualTo(0);
        node.GetProperty("mailboxTotal").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        node.GetProperty("gc").GetProperty("heapBytes").GetInt64().Should().BePositive();
        node.GetProperty("threadPool").GetProperty("threads").GetInt32().Should().BePositive();
        node.GetProperty("meter").EnumerateArray().Select(m => m.GetProperty("name").GetString()).Should().Contain("otp.processes");
        node.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeFalse();
        node.GetProperty("capabilities").GetProperty("upgrade").GetBoolean().Should().BeFalse();
        node.GetProperty("releases").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Applications_ListShopWithItsSupervisor()
    {
        var apps = await GetAsync("/otp/api/applications");
        var shop = apps.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "shop");
        shop.GetProperty("version").GetString().Should().NotBeNull();
        shop.GetProperty("supervisor").GetString().Should().Be(_host.Node.WhereIs("shop")?.ToString());
    }

    [Fact]
    public async Task Trees_ShowTheApplicationTree_WithStrategyAndRestartBudget()
    {
        var trees = await GetAsync("/otp/api/trees");
        var tree = trees.EnumerateArray().Single(t => t.GetProperty("application").GetString() == "shop");
        var root = tree.GetProperty("root");
        root.GetProperty("type").GetString().Should().Be("supervisor");
        var workers = root.GetProperty("children").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "workers");
        workers.GetProperty("pid").GetString().Should().Be(_host.Named("workers").ToString());
        workers.GetProperty("strategy").GetString().Should().Be("one_for_one");
        workers.GetProperty("intensity").GetInt32().Should().Be(3);
        workers.GetProperty("period").GetInt32().Should().Be(10);
        workers.GetProperty("restartsInWindow").GetInt32().Should().Be(0);
        workers.GetProperty("budgetLeft").GetInt32().Should().Be(3);
        var children = workers.GetProperty("children").EnumerateArray().ToArray();
        children.Select(c => c.GetProperty("id").GetString()).Should().BeEquivalentTo("vault", "teller");
        var vault = children.Single(c => c.GetProperty("id").GetString() == "vault");
        vault.GetProperty("type").GetString().Should().Be("worker");
        vault.GetProperty("restart").GetString().Should().Be("permanent");
        vault.GetProperty("status").GetString().Should().Be("running");
        vault.GetProperty("pid").GetString().Should().Be(_host.Named("vault").ToString());
        vault.GetProperty("restarts").GetInt32().Should().Be(0);
        vault.GetProperty("lastExitReason").ValueKind.Should().Be(JsonValueKind.Null);
        vault.GetProperty("budgetLeft").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Trees_AfterAKill_ShowTheRestartTheLastExitAndTheBudgetSpent() // U7
    {
        var vault = _host.Named("vault");
        var exited = _host.Node.WaitForExitAsync(vault);
        _host.Node.Exit(vault, ExitReason.Kill);
        await exited.WaitAsync(TimeSpan.FromSeconds(10));
        var workers = _host.Named("workers");
        // The supervisor handles the EXIT in its own turn: a status call queued behind it sees the restart done.
        (await Supervision.Supervisor.GetStatusAsync(workers, TimeSpan.FromSeconds(10))).RestartsInPeriod.Should().Be(1);
        var trees = await GetAsync("/otp/api/trees");
        var node = trees.EnumerateArray().Single().GetProperty("root").GetProperty("children").EnumerateArray().Single();
        node.GetProperty("restartsInWindow").GetInt32().Should().Be(1);
        node.GetProperty("budgetLeft").GetInt32().Should().Be(2);
        var child = node.GetProperty("children").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "vault");
        child.GetProperty("restarts").GetInt32().Should().Be(1);
        child.GetProperty("lastExitReason").GetString().Should().Be("killed");
        child.GetProperty("pid").GetString().Should().NotBe(vault.ToString());
    }

    [Fact]
    public async Task Processes_ListEveryProcessWithModuleStatusAndCounts()
    {
        using var response = await _host.Client.GetAsync("/otp/api/processes");
        var rows = await response.Content.ReadFromJsonAsync<JsonElement>();
        response.Headers.GetValues("X-Total-Count").Single().Should().Be(rows.GetArrayLength().ToString(System.Globalization.CultureInfo.InvariantCulture));
        var teller = rows.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "teller");
        teller.GetProperty("pid").GetString().Should().Be(_host.Named("teller").ToString());
        teller.GetProperty("module").GetString().Should().Be(typeof(Teller).FullName);
        teller.GetProperty("status").GetString().Should().BeOneOf("waiting", "running");
        teller.GetProperty("suspended").GetBoolean().Should().BeFalse();
        teller.GetProperty("oldCode").GetBoolean().Should().BeFalse();
        teller.GetProperty("application").GetString().Should().Be("shop");
        teller.GetProperty("messageQueueLength").GetInt32().Should().Be(0);
        teller.GetProperty("messageRate").GetDouble().Should().Be(0); // nobody streams: nothing is sampled
    }

    [Fact]
    public async Task Process_OfAModuleThatDoesNotOptIn_NeverShowsItsState()
    {
        var url = $"/otp/api/processes/{ApiHost.Url(_host.Named("vault"))}";
        using var response = await _host.Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        text.Should().NotContain(ApiHost.Secret);
        var detail = JsonDocument.Parse(text).RootElement;
        detail.GetProperty("stateVisible").GetBoolean().Should().BeFalse();
        detail.GetProperty("state").ValueKind.Should().Be(JsonValueKind.Null);
        detail.GetProperty("links").EnumerateArray().Select(l => l.GetString()).Should().Contain(_host.Named("workers").ToString());
        detail.GetProperty("parent").GetString().Should().Be(_host.Named("workers").ToString());
        detail.GetProperty("trapExit").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Process_OfAModuleThatOptsIn_ShowsFormatStatus_NotTheRawState()
    {
        var text = await _host.Client.GetStringAsync($"/otp/api/processes/{ApiHost.Url(_host.Named("teller"))}");
        text.Should().NotContain(ApiHost.Secret);
        var detail = JsonDocument.Parse(text).RootElement;
        detail.GetProperty("stateVisible").GetBoolean().Should().BeTrue();
        detail.GetProperty("state").GetString().Should().Contain("42").And.Contain("***");
    }

    [Theory]
    [InlineData("0.999999.0")]
    [InlineData("not-a-pid")]
    [InlineData("1.2.3")]
    [InlineData("0.-1.0")]
    public async Task Process_UnknownOrMalformed_Is404(string pid)
    {
        using var response = await _host.Client.GetAsync($"/otp/api/processes/{pid}");
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Modules_AndReleases_AndReports_HaveTheirShapes()
    {
        (await GetAsync("/otp/api/modules")).ValueKind.Should().Be(JsonValueKind.Array);
        var releases = await GetAsync("/otp/api/releases");
        releases.GetProperty("enabled").GetBoolean().Should().BeFalse();
        releases.GetProperty("releases").GetArrayLength().Should().Be(0);
        (await GetAsync("/otp/api/reports")).ValueKind.Should().Be(JsonValueKind.Array);
        var metrics = await GetAsync("/otp/api/metrics");
        metrics.GetProperty("meter").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "otp.processes").GetProperty("value").GetDouble().Should().BePositive();
        metrics.GetProperty("gc").GetProperty("heapBytes").GetInt64().Should().BePositive();
        var antiforgery = await GetAsync("/otp/api/antiforgery");
        antiforgery.GetProperty("headerName").GetString().Should().NotBeNullOrEmpty();
        antiforgery.GetProperty("token").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Page_IsServedWithItsPathAndAStrictContentSecurityPolicy()
    {
        using var response = await _host.Client.GetAsync("/otp/");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.Should().NotContain("%OTP_BASE%");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'self'");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        (await _host.Client.GetAsync("/otp/assets/missing.js")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _host.Client.GetAsync("/otp/assets/index.html")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task ForeignHost_IsRefused_DnsRebinding(string host)
    {
        foreach (var path in new[] { "/otp/", "/otp/api/node", "/otp/api/events", "/otp/api/antiforgery" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = host;
            using var response = await _host.Client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, path);
        }
    }

    [Fact]
    public async Task AllowedHosts_Wildcard_AdmitsSubdomains()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.AllowedHosts.Clear();
            o.AllowedHosts.Add("*.example.com");
        });
        using var ok = new HttpRequestMessage(HttpMethod.Get, "/otp/api/node");
        ok.Headers.Host = "ops.example.com";
        (await host.Client.SendAsync(ok)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var refused = new HttpRequestMessage(HttpMethod.Get, "/otp/api/node");
        refused.Headers.Host = "localhost";
        (await host.Client.SendAsync(refused)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ViewPolicy_And_RequireAuthorization_ApplyToEverything()
    {
        await using var host = await ApiHost.StartAsync(o => o.ViewPolicy = "view");
        (await host.Client.GetAsync("/otp/api/node")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await host.Client.GetAsync("/otp/api/events")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await host.Client.GetAsync("/otp/")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var signedIn = host.NewClient("ada");
        (await signedIn.GetAsync("/otp/api/node")).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var composed = await ApiHost.StartAsync(map: m => m.Group.RequireAuthorization("operate"));
        using var viewer = composed.NewClient("bob");
        (await viewer.GetAsync("/otp/api/trees")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var operatorClient = composed.NewClient("carol", "operator");
        (await operatorClient.GetAsync("/otp/api/trees")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Options_Invalid_FailTheStart_WithTheReason(int size)
    {
        var act = () => ApiHost.StartAsync(o => o.EventBufferSize = size);
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("EventBufferSize");
    }

    [Fact]
    public async Task Options_ActionsWithoutAnyPolicy_FailTheStart()
    {
        var act = () => ApiHost.StartAsync(o => o.EnableActions = true);
        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("OperatePolicy");
    }
}
