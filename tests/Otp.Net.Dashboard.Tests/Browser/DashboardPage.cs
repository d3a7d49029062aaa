using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Otp.Net.Dashboard.Tests.Browser;

/// <summary>A dashboard view: its name in <c>main[data-current-view]</c>, its route, and an element that shows it has loaded.</summary>
public sealed record DashboardView(string Name, string? NavLink, string Ready)
{
    public static readonly DashboardView Node = new("node", "node", "[data-testid='process-count']");
    public static readonly DashboardView Apps = new("apps", "apps", "[data-testid='tree-node'][data-child-id='ticker_3']");
    public static readonly DashboardView Processes = new("processes", "processes", "tr[data-testid='process-row'][data-module='ticker']");
    public static readonly DashboardView Process = new("process", null, "[data-testid='process-status']");
    public static readonly DashboardView Code = new("code", "code", "[data-testid='module'][data-module='ticker'] [data-testid='module-version']");
    public static readonly DashboardView Releases = new("releases", "releases", ".view-body > *");
    public static readonly DashboardView Reports = new("reports", "reports", ".view-body > *");

    /// <summary>Every view, the process detail one showing <c>ticker_1</c>.</summary>
    public static readonly IReadOnlyList<DashboardView> All = [Node, Apps, Processes, Process, Code, Releases, Reports];

    public override string ToString() => Name;
}

/// <summary>
/// One browser context on the dashboard of a <see cref="DashboardServer"/>: opens the page, waits for the event stream,
/// switches views through the navigation links (or the hash route for the process detail), and records script errors.
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];
    private readonly List<string> _console = [];

    private DashboardPage(IBrowserContext context, IPage page, DashboardServer server)
    {
        _context = context;
        Page = page;
        Server = server;
        page.PageError += (_, error) => { lock (_errors) _errors.Add(error); };
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") lock (_console) _console.Add($"{message.Type}: {message.Text}");
        };
    }

    public IPage Page { get; }

    public DashboardServer Server { get; }

    /// <summary>Uncaught script errors so far.</summary>
    public IReadOnlyList<string> Errors { get { lock (_errors) return [.. _errors]; } }

    /// <summary>Console errors and warnings so far (a refused inline style or script shows up here).</summary>
    public IReadOnlyList<string> ConsoleMessages { get { lock (_console) return [.. _console]; } }

    public static async Task<DashboardPage> OpenAsync(IBrowser browser, DashboardServer server)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 }, ReducedMotion = ReducedMotion.Reduce });
        context.SetDefaultTimeout(15_000);
        // Content-Security-Policy refusals (an inline style or script) are page bugs: record them.
        // The arrival time (wall clock, ms) of each stream event but samples, to tell the stream's latency from the page's.
        await context.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`.trim()));
            window.__otpEvents = [];
            const listen = EventSource.prototype.addEventListener;
            EventSource.prototype.addEventListener = function (kind, listener, options) {
              if (kind === 'sample') return listen.call(this, kind, listener, options);
              return listen.call(this, kind, function (e) { window.__otpEvents.push({ kind, at: Date.now(), data: e.data }); return listener.call(this, e); }, options);
            };
            """);
        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(context, page, server);
        await page.GotoAsync(server.Page.ToString());
        await Expect(page.Locator("[data-testid='live']")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 10_000 });
        return dashboard;
    }

    /// <summary>The root of the current view.</summary>
    public ILocator Main(DashboardView view) => Page.Locator($"main[data-current-view='{view.Name}']");

    /// <summary>Shows <paramref name="view"/> and waits until it has loaded (the process detail shows <c>ticker_1</c>).</summary>
    public async Task ShowAsync(DashboardView view)
    {
        if (view.NavLink is { } link)
        {
            await Page.Locator($"nav a[data-view='{link}']").ClickAsync();
        }
        else
        {
            await Page.GotoAsync($"{Server.Page}#/process/{DashboardServer.InUrl(Server.Registered("ticker_1"))}");
        }
        await Expect(Main(view).Locator(view.Ready).First).ToBeAttachedAsync(new() { Timeout = 10_000 });
        await Page.EvaluateAsync("() => new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)))"); // one rendered frame
    }

    /// <summary>The page threw no script error and the browser refused nothing under the Content-Security-Policy.</summary>
    public async Task ShouldBeCleanAsync()
    {
        Errors.Should().BeEmpty("the page throws no script errors");
        (await Page.EvaluateAsync<string[]>("() => window.__cspViolations")).Should().BeEmpty("the page needs nothing the Content-Security-Policy refuses");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
    }
}
