using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Otp.Net.Code;
using Otp.Net.Supervision;
using Xunit.Abstractions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ReadOnlyTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static readonly string[] Tickers = ["ticker_1", "ticker_2", "ticker_3"];

    [Fact]
    public async Task ReadOnly_NoViewHasAnActionButton()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: false);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);

        foreach (var view in DashboardView.All)
        {
            await dashboard.ShowAsync(view);
            (await dashboard.Page.Locator("button[data-action]").CountAsync()).Should().Be(0, $"the {view} view is read-only");
        }
        await dashboard.ShouldBeCleanAsync();
    }

    [Fact]
    public async Task ReadOnly_ForgedPostsToEveryActionRoute_AreRefusedAndChangeNothing()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: false);
        var ticker = server.Registered("ticker_1");
        var tickerSup = (await Supervisor.WhichChildrenAsync(server.Registered("tickers"))).Single(c => c.Id == "ticker_sup").Pid;
        var pid = DashboardServer.InUrl(ticker);
        var sup = DashboardServer.InUrl(tickerSup);
        (string Path, object? Body)[] actions =
        [
            ($"processes/{pid}/suspend", null),
            ($"processes/{pid}/resume", null),
            ($"processes/{pid}/exit", new { reason = "kill" }),
            ($"supervisors/{sup}/children/ticker_1/restart", null),
            ($"supervisors/{sup}/children/ticker_1/terminate", null),
            ($"processes/{pid}/change-code", new { module = "ticker", oldVersion = "1.0.0", extra = (object?)null }),
            ("modules/ticker/upgrade", new { file = "ticker-2.dll" }),
            ("modules/ticker/purge", null),
            ("modules/ticker/soft-purge", null),
            ("releases/0.2.0/install", null),
            ("releases/0.2.0/permanent", null),
            ("releases/rollback", null),
        ];

        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(server.Root, DashboardServer.Prefix + "/api/") };
        // A token as the page would get it, when the server hands one out (it sets the antiforgery cookie too).
        var (header, token) = ("X-Otp-Antiforgery", "forged");
        using (var issued = await http.GetAsync("antiforgery"))
        {
            if (issued.IsSuccessStatusCode)
            {
                var json = await issued.Content.ReadFromJsonAsync<JsonElement>();
                (header, token) = (json.GetProperty("headerName").GetString()!, json.GetProperty("token").GetString()!);
            }
            output.WriteLine($"GET antiforgery -> {(int)issued.StatusCode}");
        }

        foreach (var (path, body) in actions)
        {
            foreach (var withToken in new[] { false, true })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = new StringContent(body is null ? "" : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
                };
                if (withToken) request.Headers.Add(header, token);
                using var response = await http.SendAsync(request);
                output.WriteLine($"POST {path} {(withToken ? "with" : "without")} token -> {(int)response.StatusCode}");
                response.StatusCode.Should().BeOneOf([HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed, HttpStatusCode.Forbidden, HttpStatusCode.BadRequest],
                    $"POST {path} {(withToken ? "with" : "without")} an antiforgery token must be refused in read-only mode");
            }
        }

        // Nothing happened: the same ticker runs v1, not suspended, and nothing was restarted.
        server.Node.WhereIs("ticker_1").Should().Be(ticker);
        (await Otp.Net.GenServers.GenServer.CallAsync(ticker, "version", TimeSpan.FromSeconds(5))).Should().Be("1.0.0");
        server.Node.Code.Versions("ticker").Should().ContainSingle().Which.Should().Match<ModuleVersionInfo>(v => v.Version == "1.0.0" && v.Status == ModuleStatus.Current);
        (await Supervisor.WhichChildrenAsync(tickerSup)).Select(c => c.Pid).Should().BeEquivalentTo(Tickers.Select(server.Registered));
    }
}
