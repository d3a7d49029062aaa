using Xunit.Abstractions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserFixture browser, ITestOutputHelper output)
{
    /// <summary>Where the screenshots go: screenshots/&lt;view&gt;.png next to the test assembly.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task EveryView_IsCaptured()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: true);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);
        Directory.CreateDirectory(Folder);

        foreach (var view in DashboardView.All)
        {
            await dashboard.ShowAsync(view);
            var file = Path.Combine(Folder, $"{view.Name}.png");
            await dashboard.Page.ScreenshotAsync(new() { Path = file, FullPage = true });
            new FileInfo(file).Length.Should().BeGreaterThan(0);
            output.WriteLine(file);
        }
        await dashboard.ShouldBeCleanAsync();
        output.WriteLine(string.Join(Environment.NewLine, dashboard.ConsoleMessages));
    }
}
