using System.Text.Json;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Otp.Net.Dashboard.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RestartTests(BrowserFixture browser, ITestOutputHelper output)
{
    // Installed once the tree is shown: records (wall clock, ms) when the killed child's element first carries the
    // class "flash" and when its supervisor's data-budget-left first changes. Returns the budget before.
    private const string Watch = """
        ([childId, supId]) => {
          const seen = { flash: null, budget: null, budgetLeft: null };
          window.__otpWatch = seen;
          const sup = () => document.querySelector(`[data-testid="tree-node"][data-child-id="${supId}"]`);
          const before = sup().getAttribute('data-budget-left');
          const check = () => {
            const now = Date.now();
            if (seen.flash === null && document.querySelector(`[data-testid="tree-node"][data-child-id="${childId}"].flash`)) seen.flash = now;
            const s = sup();
            if (seen.budget === null && s && s.getAttribute('data-budget-left') !== before) {
              seen.budget = now;
              seen.budgetLeft = s.getAttribute('data-budget-left');
            }
          };
          new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class', 'data-budget-left'] });
          return before;
        }
        """;

    private static readonly string[] WatchArgs = ["ticker_2", "ticker_sup"];

    [Fact]
    public async Task KilledChild_FlashesAndItsSupervisorsBudgetDrops_WithinASecond_FromTheStream()
    {
        await using var server = await DashboardServer.StartAsync(enableActions: false);
        await using var dashboard = await DashboardPage.OpenAsync(browser.Browser, server);
        await dashboard.ShowAsync(DashboardView.Apps);
        var tree = dashboard.Main(DashboardView.Apps);
        var supervisor = tree.Locator("[data-testid='tree-node'][data-child-id='ticker_sup']");

        // A first restart (ticker_3), not measured: the one measured then does not pay for the first run of the
        // restart path in the node and in the page. The page shows it once its tree is refetched.
        var warmUp = server.Registered("ticker_3");
        var warmedUp = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (server.Node.Events.Subscribe(new RestartObserver(warmedUp, "ticker_3")))
        {
            server.Node.Exit(warmUp, ExitReason.Kill);
            await warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
        await Expect(supervisor).ToHaveAttributeAsync("data-budget-left", "4");
        await Expect(tree.Locator("[data-testid='tree-node'][data-child-id='ticker_3']")).Not.ToHaveAttributeAsync("data-pid", warmUp.ToString());

        var victim = server.Registered("ticker_2");
        var child = tree.Locator("[data-testid='tree-node'][data-child-id='ticker_2']");
        await Expect(child).ToHaveAttributeAsync("data-pid", victim.ToString());

        // From here on the page gets no tree from the API until the checks are done: what changes comes from the stream.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = 0;
        await dashboard.Page.RouteAsync("**/api/trees", async route =>
        {
            Interlocked.Increment(ref held);
            await release.Task;
            await route.ContinueAsync();
        });
        var budgetBefore = await dashboard.Page.EvaluateAsync<string>(Watch, WatchArgs);
        budgetBefore.Should().Be("4");

        var restarted = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = server.Node.Events.Subscribe(new RestartObserver(restarted, "ticker_2"));
        var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        server.Node.Exit(victim, ExitReason.Kill);
        try
        {
            await dashboard.Page.WaitForFunctionAsync("() => window.__otpWatch.flash !== null && window.__otpWatch.budget !== null", null, new() { Timeout = 5_000, PollingInterval = 20 });
        }
        finally
        {
            release.TrySetResult();
        }

        var seen = await dashboard.Page.EvaluateAsync<JsonElement>("() => window.__otpWatch");
        var flashMs = seen.GetProperty("flash").GetInt64() - killedAt;
        var budgetMs = seen.GetProperty("budget").GetInt64() - killedAt;
        var publishedMs = restarted.Task.IsCompleted ? $"{await restarted.Task - killedAt}" : "?";
        var arrivedMs = await dashboard.Page.EvaluateAsync<long?>("() => window.__otpEvents.findLast(e => e.kind === 'restarted' && JSON.parse(e.data).childId === 'ticker_2')?.at ?? null") is { } at ? $"{at - killedAt}" : "?";
        var timeline = $"after the kill: the node published the restart at {publishedMs} ms, the page received it at {arrivedMs} ms, " +
            $"the child flashed at {flashMs} ms, data-budget-left went {budgetBefore} -> {seen.GetProperty("budgetLeft").GetString()} at {budgetMs} ms " +
            $"({Volatile.Read(ref held)} tree refetch(es) held meanwhile)";
        output.WriteLine(timeline);
        seen.GetProperty("budgetLeft").GetString().Should().Be("3");
        flashMs.Should().BeLessThan(1000, timeline);
        budgetMs.Should().BeLessThan(1000, timeline);

        // Then the refetched tree shows the new incarnation.
        await Expect(child).Not.ToHaveAttributeAsync("data-pid", victim.ToString());
        (await child.GetAttributeAsync("data-pid")).Should().Be(server.Registered("ticker_2").ToString());
        await Expect(child).ToHaveAttributeAsync("data-status", "running");
        await dashboard.ShouldBeCleanAsync();
    }

    /// <summary>Completes with the wall-clock time (ms) at which the node published the restart of <c>childId</c>.</summary>
    private sealed class RestartObserver(TaskCompletionSource<long> restarted, string childId) : IObserver<NodeEvent>
    {
        public void OnNext(NodeEvent value)
        {
            if (value.Kind == NodeEventKind.Restarted && value.ChildId == childId) restarted.TrySetResult(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
