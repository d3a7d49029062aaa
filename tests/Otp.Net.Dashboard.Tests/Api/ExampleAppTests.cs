using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>
/// The example application (examples/Dashboard) hosted in memory with <see cref="WebApplicationFactory{TEntryPoint}"/>:
/// its tree and module as the API shows them, and its loopback-only policies (a TestServer request
/// has no remote address: it is no loopback client).
/// </summary>
public sealed class ExampleAppTests
{
    [Fact]
    public async Task TheExample_ServesItsTreeAndItsUpgradableModule()
    {
        await using var app = new WebApplicationFactory<Program>();
        using var client = app.CreateClient();
        var trees = await client.GetFromJsonAsync<JsonElement>("/otp/api/trees");
        var tree = trees.EnumerateArray().Single(t => t.GetProperty("application").GetString() == "tickers");
        var tickerSup = tree.GetProperty("root").GetProperty("children").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "ticker_sup");
        tickerSup.GetProperty("budgetLeft").GetInt32().Should().Be(5);
        tickerSup.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("module").GetString()).Should().Equal("ticker", "ticker", "ticker");

        var modules = await client.GetFromJsonAsync<JsonElement>("/otp/api/modules");
        var ticker = modules.EnumerateArray().Single(m => m.GetProperty("module").GetString() == "ticker");
        ticker.GetProperty("available").EnumerateArray().Select(a => a.GetProperty("file").GetString()).Should().Equal("ticker-2.dll");
        (await client.GetStringAsync("/otp/")).Should().Contain("/otp/assets/");
    }

    [Fact]
    public async Task TheExample_OffersActionsToLoopbackClientsOnly()
    {
        await using var app = new WebApplicationFactory<Program>();
        using var client = app.CreateClient();
        var node = await client.GetFromJsonAsync<JsonElement>("/otp/api/node");
        node.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeFalse("an in-memory request has no loopback address");
        using var response = await client.PostAsync("/otp/api/modules/ticker/purge", JsonContent.Create(new { }));
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
