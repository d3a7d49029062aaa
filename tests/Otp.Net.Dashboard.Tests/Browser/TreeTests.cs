using Otp.Net.Supervision;
using static Microsoft.Playwright.Assertions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class TreeTests(BrowserFixture browser)
{
    [Fact]
    public async Task ApplicationsView_RendersTheSupervisorsAndTheirChildren()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: false);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);
        var top = server.Registered("tickers");
        var tickerSup = (await Supervisor.WhichChildrenAsync(top)).Single(c => c.Id == "ticker_sup").Pid;

        await dashboard.ShowAsync(DashboardView.Apps);

        var tree = dashboard.Main(DashboardView.Apps);
        var topNode = tree.Locator($"[data-testid='tree-node'][data-pid='{top}']");
        await Expect(topNode).ToHaveAttributeAsync("data-type", "supervisor");
        await Expect(topNode).ToHaveAttributeAsync("data-intensity", "3");
        var supNode = tree.Locator("[data-testid='tree-node'][data-child-id='ticker_sup']");
        await Expect(supNode).ToHaveAttributeAsync("data-type", "supervisor");
        await Expect(supNode).ToHaveAttributeAsync("data-pid", tickerSup.ToString());
        await Expect(supNode).ToHaveAttributeAsync("data-intensity", "5");
        await Expect(supNode).ToHaveAttributeAsync("data-budget-left", "5");
        foreach (var id in new[] { "ticker_1", "ticker_2", "ticker_3", "metronome" })
        {
            var child = tree.Locator($"[data-testid='tree-node'][data-child-id='{id}']");
            await Expect(child).ToHaveAttributeAsync("data-type", "worker");
            await Expect(child).ToHaveAttributeAsync("data-status", "running");
            await Expect(child).ToHaveAttributeAsync("data-pid", server.Registered(id).ToString());
        }
        // The tickers are the sub-supervisor's children, shown inside it.
        await Expect(supNode.Locator("[data-testid='tree-node'][data-type='worker']")).ToHaveCountAsync(3);
        await dashboard.ShouldBeCleanAsync();
    }
}
