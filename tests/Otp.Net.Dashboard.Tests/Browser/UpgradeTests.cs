using System.Text.RegularExpressions;
using Otp.Net.GenServers;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class UpgradeTests(BrowserFixture browser, ITestOutputHelper output)
{
    private static readonly string[] Tickers = ["ticker_1", "ticker_2", "ticker_3"];

    [Fact]
    public async Task UpgradeButton_MovesEveryTickerToV2_AndLeavesV1Old()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: true);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);
        var pids = Tickers.Select(server.Registered).ToList();

        await dashboard.ShowAsync(DashboardView.Code);
        var module = dashboard.Main(DashboardView.Code).Locator("[data-testid='module'][data-module='ticker']");
        var v1 = module.Locator("[data-testid='module-version'][data-version='1.0.0']");
        await Expect(v1).ToHaveAttributeAsync("data-status", "current");
        await Expect(v1).ToHaveAttributeAsync("data-processes", "3");

        await module.Locator("button[data-action='upgrade'][data-file='ticker-2.dll']").ClickAsync();
        var confirm = dashboard.Page.Locator("dialog[open] button[data-confirm='yes']");
        var result = dashboard.Page.Locator("[data-testid='action-result']");
        await Expect(confirm.Or(result.Filter(new() { HasTextRegex = new Regex(@"\S") }))).ToBeVisibleAsync();
        if (await confirm.IsVisibleAsync()) await confirm.ClickAsync();
        await Expect(result).ToHaveTextAsync(new Regex(@"\S"), new() { Timeout = 15_000 });
        output.WriteLine($"action result: {await result.TextContentAsync()}");

        // The Code view: v2 is current with the three tickers, v1 is old (or already purged and unloaded).
        var v2 = module.Locator("[data-testid='module-version'][data-version='2.0.0']");
        await Expect(v2).ToHaveAttributeAsync("data-status", "current");
        await Expect(v2).ToHaveAttributeAsync("data-processes", "3");
        await Expect(v1).ToHaveAttributeAsync("data-status", new Regex("^(old|pendingUnload|unloaded)$"));
        await Expect(v1).ToHaveAttributeAsync("data-processes", "0");

        // The Processes view: every process of the module runs v2, and they are the same processes as before.
        await dashboard.ShowAsync(DashboardView.Processes);
        var rows = dashboard.Main(DashboardView.Processes).Locator("tr[data-testid='process-row'][data-module='ticker']");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.And(dashboard.Page.Locator("[data-version='2.0.0']"))).ToHaveCountAsync(3);
        foreach (var pid in pids)
        {
            await Expect(rows.And(dashboard.Page.Locator($"[data-pid='{pid}']"))).ToHaveAttributeAsync("data-version", "2.0.0");
            (await GenServer.CallAsync(pid, "version", TimeSpan.FromSeconds(5))).Should().Be("2.0.0");
        }
        Tickers.Select(server.Registered).Should().Equal(pids, "a live upgrade keeps the processes");
        await dashboard.ShouldBeCleanAsync();
    }
}
