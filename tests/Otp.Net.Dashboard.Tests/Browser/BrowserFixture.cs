using Microsoft.Playwright;

namespace Otp.Net.Dashboard.Tests.Browser;

/// <summary>
/// One headless Chromium for the browser tests: Debian's chromium (or the executable named by <c>OTP_CHROMIUM</c>),
/// driven by the Playwright driver that ships in the Microsoft.Playwright package. Nothing is downloaded.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public static string ChromiumPath => Environment.GetEnvironmentVariable("OTP_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;

    public async Task InitializeAsync()
    {
        var chromium = ChromiumPath;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {chromium}, and there is none. Install Debian's chromium package " +
                "(sudo apt-get install -y chromium; .ci/run does it on CI) or set OTP_CHROMIUM to a Chromium executable.");
        }
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The browser tests share one browser and run one at a time (each starts its own node and web server).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
