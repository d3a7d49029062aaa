using Deque.AxeCore.Playwright;
using Xunit.Abstractions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryView_HasNoSeriousOrCriticalAxeViolations()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: true);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);
        var failures = new List<string>();

        foreach (var view in DashboardView.All)
        {
            await dashboard.ShowAsync(view);
            var results = await dashboard.Page.RunAxe();
            foreach (var violation in results.Violations)
            {
                var line = $"{view}: [{violation.Impact}] {violation.Id}: {violation.Help} ({violation.HelpUrl})";
                var nodes = violation.Nodes.Select(n => $"    {n.Target}: {n.Html}");
                output.WriteLine(string.Join(Environment.NewLine, nodes.Prepend(line)));
                if (violation.Impact is "serious" or "critical") failures.Add(line);
            }
            output.WriteLine($"{view}: {results.Violations.Length} violation(s), {results.Passes.Length} rule(s) passed");
        }

        failures.Should().BeEmpty();
        await dashboard.ShouldBeCleanAsync();
    }
}
