using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>Actions addressed with awkward child ids, pids and bodies; killing an application's supervisor.</summary>
public sealed class ActionProbes
{
    private static Task<ProbeHost> StartAsync() => ProbeHost.StartAsync(
        otp => otp.AddApplication("shop", a => a.Supervisor(s => s
            .Supervisor("weird", w => w
                .Intensity(100, periodSeconds: 10)
                .GenServer<ProbeWorker>("my child")
                .GenServer<ProbeWorker>("zürich ☃")
                .GenServer<ProbeWorker>("a/b")
                .GenServer<ProbeWorker>("50% off?#"), name: "weird"))),
        o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
            o.UpgradePolicy = "upgrade";
        });

    private static async Task<(HttpStatusCode Status, JsonElement? Body, string Text)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? body = null;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
        }
        return (response.StatusCode, body, text);
    }

    [Theory]
    [InlineData("my child")]
    [InlineData("zürich ☃")]
    [InlineData("a/b")]
    [InlineData("50% off?#")]
    public async Task ChildIdsWithSpacesUnicodeAndSlashes_CanBeRestartedAndTerminated_UrlEncoded(string name)
    {
        await using var host = await StartAsync();
        using var operator_ = host.NewClient("olga", "operator");
        var weird = host.Node.WhereIs("weird")!.Value;
        var trees = await host.JsonAsync("/otp/api/trees");
        var shown = trees.EnumerateArray().Single(t => t.GetProperty("application").GetString() == "shop").GetProperty("root")
            .GetProperty("children").EnumerateArray().Single().GetProperty("children").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).Single(id => id.Contains(name, StringComparison.Ordinal));
        var path = $"/otp/api/supervisors/{ProbeHost.Url(weird)}/children/{Uri.EscapeDataString(shown)}";
        using (var restart = await host.PostRawAsync(operator_, path + "/restart", "{}"))
        {
            var (status, _, text) = await ReadAsync(restart);
            status.Should().Be(HttpStatusCode.OK, $"restart of child {shown} ({path}) answered {text}");
        }
        using (var terminate = await host.PostRawAsync(operator_, path + "/terminate", "{}"))
        {
            var (status, _, text) = await ReadAsync(terminate);
            status.Should().Be(HttpStatusCode.OK, $"terminate of child {shown} ({path}) answered {text}");
        }
    }

    [Fact]
    public async Task PidsWithBracketsUrlEncoded_AreFound_AndNegativeOrHugeNumbersAre404()
    {
        await using var host = await StartAsync();
        var weird = host.Node.WhereIs("weird")!.Value;
        (await host.JsonAsync($"/otp/api/processes/{Uri.EscapeDataString(weird.ToString())}")).GetProperty("pid").GetString().Should().Be(weird.ToString());
        foreach (var bad in new[] { "0.-1.0", "0.99999999999999999999999999.0", "0.9223372036854775807.0", "-1", "0.1", "1.2.3", "%3C0.-5.0%3E", "0.%2B5.0", "0. 5.0" })
        {
            using var response = await host.Client.GetAsync($"/otp/api/processes/{bad}");
            var (status, body, text) = await ReadAsync(response);
            status.Should().Be(HttpStatusCode.NotFound, $"GET {bad} answered {text}");
            body.Should().NotBeNull();
        }
        using var operator_ = host.NewClient("olga", "operator");
        foreach (var bad in new[] { "0.-1.0", "0.99999999999999999999999999.0" })
        {
            using var response = await host.PostRawAsync(operator_, $"/otp/api/processes/{bad}/exit", """{"reason":"kill"}""");
            var (status, body, text) = await ReadAsync(response);
            status.Should().Be(HttpStatusCode.NotFound, $"exit {bad} answered {text}");
            body!.Value.GetProperty("ok").GetBoolean().Should().BeFalse();
        }
    }

    [Fact]
    public async Task KillingTheApplicationSupervisor_LeavesTheHostUp_AndTreesAnswering()
    {
        await using var host = await StartAsync();
        using var operator_ = host.NewClient("olga", "operator");
        var shop = host.Node.WhereIs("shop")!.Value;
        var exited = host.Node.WaitForExitAsync(shop);
        using (var response = await host.PostRawAsync(operator_, $"/otp/api/processes/{ProbeHost.Url(shop)}/exit", """{"reason":"kill"}"""))
        {
            var (status, _, text) = await ReadAsync(response);
            status.Should().Be(HttpStatusCode.OK, text);
        }
        (await exited.WaitAsync(ProbeHost.Safety)).Should().NotBeNull();
        host.App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested.Should().BeFalse();
        var trees = await host.JsonAsync("/otp/api/trees");
        trees.EnumerateArray().Select(t => t.GetProperty("root").GetProperty("pid").GetString()).Should().NotContain(shop.ToString());
        (await host.JsonAsync("/otp/api/applications")).ValueKind.Should().Be(JsonValueKind.Array);
        (await host.JsonAsync("/otp/api/node")).GetProperty("processCount").GetInt32().Should().Be(host.Node.ProcessCount);
    }

    [Theory]
    [InlineData("exit", "{")]
    [InlineData("exit", """{"reason":5}""")]
    [InlineData("exit", """{"reason":["kill"]}""")]
    [InlineData("exit", "[]")]
    [InlineData("exit", "null x")]
    [InlineData("change-code", """{"oldVersion":5}""")]
    [InlineData("change-code", """{"oldVersion":"1.0.0","extra":{"a":1}}""")]
    [InlineData("change-code", "{\"oldVersion\":")]
    public async Task MalformedOrMistypedBodies_Are400WithAClearError(string action, string body)
    {
        await using var host = await StartAsync();
        using var admin = host.NewClient("ada", "operator", "upgrader");
        var target = host.Node.Spawn(async ctx => await ctx.ReceiveAsync());
        if (action == "change-code") target = host.Node.WhereIs("weird")!.Value;
        using var response = await host.PostRawAsync(admin, $"/otp/api/processes/{ProbeHost.Url(target)}/{action}", body);
        var (status, json, text) = await ReadAsync(response);
        status.Should().Be(HttpStatusCode.BadRequest, $"{action} with {body} answered '{text}'");
        json.Should().NotBeNull($"the answer should be JSON with an error, was '{text}'");
        json!.Value.GetProperty("ok").GetBoolean().Should().BeFalse();
        json.Value.GetProperty("error").GetString().Should().NotBeNullOrWhiteSpace();
        host.Node.IsAlive(target).Should().BeTrue("a bad request changes nothing");
    }

    [Theory]
    [InlineData("""{"file":7}""")]
    [InlineData("""{"file":""")]
    [InlineData("{}")]
    public async Task MalformedUpgradeBodies_Are400WithAClearError(string body)
    {
        await using var host = await StartAsync();
        using var admin = host.NewClient("ada", "operator", "upgrader");
        using var response = await host.PostRawAsync(admin, "/otp/api/modules/Counter/upgrade", body);
        var (status, json, text) = await ReadAsync(response);
        status.Should().Be(HttpStatusCode.BadRequest, $"upgrade with {body} answered '{text}'");
        json.Should().NotBeNull($"the answer should be JSON with an error, was '{text}'");
        json!.Value.GetProperty("error").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task AnEmptyExitBody_IsRefused_NotTakenAsKill()
    {
        await using var host = await StartAsync();
        using var operator_ = host.NewClient("olga", "operator");
        var target = host.Node.Spawn(async ctx => await ctx.ReceiveAsync());
        using var response = await host.PostRawAsync(operator_, $"/otp/api/processes/{ProbeHost.Url(target)}/exit", "");
        var (status, json, text) = await ReadAsync(response);
        status.Should().Be(HttpStatusCode.BadRequest, $"an empty body answered '{text}'");
        json.Should().NotBeNull();
        host.Node.IsAlive(target).Should().BeTrue();
    }

    [Fact]
    public async Task ABodyOfTheWrongContentType_IsA4xxWithAClearError()
    {
        await using var host = await StartAsync();
        using var operator_ = host.NewClient("olga", "operator");
        var target = host.Node.Spawn(async ctx => await ctx.ReceiveAsync());
        using var response = await host.PostRawAsync(operator_, $"/otp/api/processes/{ProbeHost.Url(target)}/exit", "reason=kill", "application/x-www-form-urlencoded");
        var (status, json, text) = await ReadAsync(response);
        ((int)status).Should().BeInRange(400, 499, text);
        json.Should().NotBeNull($"the answer should be JSON with an error, was {(int)status} '{text}'");
        host.Node.IsAlive(target).Should().BeTrue();
    }
}
