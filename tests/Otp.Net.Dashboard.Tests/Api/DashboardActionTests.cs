using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Otp.Net.Processes;
using Otp.Net.Sys;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>Actions: refused when read-only, per capability policy, without the antiforgery token; audited when done.</summary>
public sealed class DashboardActionTests
{
    private static readonly TimeSpan Safety = TimeSpan.FromSeconds(10);

    /// <summary>Every action route, for the process/supervisor/module/release of <paramref name="host"/>.</summary>
    private static (string Path, object? Body)[] ActionRoutes(ApiHost host)
    {
        var vault = ApiHost.Url(host.Named("vault"));
        var workers = ApiHost.Url(host.Named("workers"));
        return
        [
            ($"/otp/api/processes/{vault}/suspend", null),
            ($"/otp/api/processes/{vault}/resume", null),
            ($"/otp/api/processes/{vault}/exit", new { reason = "kill" }),
            ($"/otp/api/processes/{vault}/change-code", new { oldVersion = "1" }),
            ($"/otp/api/supervisors/{workers}/children/vault/restart", null),
            ($"/otp/api/supervisors/{workers}/children/vault/terminate", null),
            ("/otp/api/modules/counter/upgrade", new { file = "counter-2.dll" }),
            ("/otp/api/modules/counter/purge", null),
            ("/otp/api/modules/counter/soft-purge", null),
            ("/otp/api/releases/2.0.0/install", null),
            ("/otp/api/releases/2.0.0/permanent", null),
            ("/otp/api/releases/rollback", null),
        ];
    }

    private static async Task ShouldBeUntouchedAsync(ApiHost host, Pid vault)
    {
        host.Named("vault").Should().Be(vault, "the vault was neither killed nor restarted");
        host.Node.GetProcessInfo(vault)!.Status.Should().NotBe(ProcessStatus.Suspended);
        (await SysOps.GetStatusAsync(vault, Safety)).Suspended.Should().BeFalse();
    }

    [Fact]
    public async Task ReadOnly_EveryAction_IsRefused_EvenWithAValidToken_AndNothingChanges()
    {
        await using var host = await ApiHost.StartAsync();
        var vault = host.Named("vault");
        using var client = host.NewClient("mallory", "operator", "upgrader");
        foreach (var (path, body) in ActionRoutes(host))
        {
            using var response = await ApiHost.PostAsync(client, path, body);
            ((int)response.StatusCode).Should().BeOneOf([404, 405], path);
        }
        await ShouldBeUntouchedAsync(host, vault);
        var node = await client.GetFromJsonAsync<JsonElement>("/otp/api/node");
        node.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Actions_WithoutTheCapabilitysRole_AreForbidden_AndWithoutSignIn_Challenged()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
            o.UpgradePolicy = "upgrade";
        });
        var vault = host.Named("vault");
        using var viewer = host.NewClient("victor");
        using var anonymous = host.NewClient();
        foreach (var (path, body) in ActionRoutes(host))
        {
            using (var response = await ApiHost.PostAsync(viewer, path, body)) response.StatusCode.Should().Be(HttpStatusCode.Forbidden, path);
            using (var response = await ApiHost.PostAsync(anonymous, path, body)) response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, path);
        }
        // An operator may operate, not upgrade.
        using var operatorClient = host.NewClient("olga", "operator");
        using (var upgrade = await ApiHost.PostAsync(operatorClient, "/otp/api/modules/counter/purge")) upgrade.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var node = await operatorClient.GetFromJsonAsync<JsonElement>("/otp/api/node");
        node.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeTrue();
        node.GetProperty("capabilities").GetProperty("upgrade").GetBoolean().Should().BeFalse();
        await ShouldBeUntouchedAsync(host, vault);
    }

    [Fact]
    public async Task Actions_WithoutOrWithAForgedAntiforgeryToken_AreRefused_AndNothingChanges()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
            o.UpgradePolicy = "upgrade";
        });
        var vault = host.Named("vault");
        using var client = host.NewClient("olga", "operator", "upgrader");
        using var other = host.NewClient("olga", "operator", "upgrader");
        var (header, stolen) = await ApiHost.AntiforgeryAsync(other); // a token from another browser (cookie not ours)
        _ = await ApiHost.AntiforgeryAsync(client); // our cookie, no header
        foreach (var (path, body) in ActionRoutes(host))
        {
            using (var response = await ApiHost.PostAsync(client, path, body, token: false)) response.StatusCode.Should().Be(HttpStatusCode.BadRequest, path);
            using var forged = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
            forged.Headers.Add(header, stolen);
            using (var response = await client.SendAsync(forged)) response.StatusCode.Should().Be(HttpStatusCode.BadRequest, path);
        }
        await ShouldBeUntouchedAsync(host, vault);
    }

    [Fact]
    public async Task SuspendResumeAndExit_Work_AndAreAuditedWithTheUser()
    {
        var log = new ListLogger();
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
        }, logging: l => l.AddProvider(log));
        using var client = host.NewClient("olga", "operator");
        var teller = host.Named("teller");
        var url = ApiHost.Url(teller);

        using (var r = await ApiHost.PostAsync(client, $"/otp/api/processes/{url}/suspend")) r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await SysOps.GetStatusAsync(teller, Safety)).Suspended.Should().BeTrue();
        using (var r = await ApiHost.PostAsync(client, $"/otp/api/processes/{url}/resume")) r.StatusCode.Should().Be(HttpStatusCode.OK);
        (await SysOps.GetStatusAsync(teller, Safety)).Suspended.Should().BeFalse();

        var exited = host.Node.WaitForExitAsync(teller);
        using (var r = await ApiHost.PostAsync(client, $"/otp/api/processes/{url}/exit", new { reason = "maintenance" }))
        {
            r.StatusCode.Should().Be(HttpStatusCode.OK);
            (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean().Should().BeTrue();
        }
        (await exited.WaitAsync(Safety)).ToString().Should().Be("maintenance");

        var audit = log.Entries.Where(e => e.Category == DashboardLog.Category && e.Id.Id == 7000).Select(e => e.Message).ToArray();
        audit.Should().HaveCount(3);
        audit.Should().AllSatisfy(m => m.Should().Contain("olga"));
        audit[2].Should().Contain("exit").And.Contain(teller.ToString());
    }

    [Fact]
    public async Task InAHostWithoutAuthentication_ARefusedActionIs403_Not500_AndAViewPolicyToo()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
        }, authentication: false);
        var vault = host.Named("vault");
        using (var r = await ApiHost.PostAsync(host.Client, $"/otp/api/processes/{ApiHost.Url(vault)}/exit", new { reason = "kill" }))
        {
            r.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("operate");
        }
        await ShouldBeUntouchedAsync(host, vault);

        await using var viewing = await ApiHost.StartAsync(o => o.ViewPolicy = "view", authentication: false);
        (await viewing.Client.GetAsync("/otp/api/node")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Capabilities_AreDecidedWithTheRequestAsResource_AsTheEndpointsDecide()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "ops-header";
        }, configureServices: services => services.AddAuthorization(a => a.AddPolicy("ops-header", p => p.RequireAssertion(
            c => c.Resource is Microsoft.AspNetCore.Http.HttpContext http && http.Request.Headers.ContainsKey("X-Ops")))));
        using var ops = host.NewClient();
        ops.DefaultRequestHeaders.Add("X-Ops", "1");
        var node = await ops.GetFromJsonAsync<JsonElement>("/otp/api/node");
        node.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeTrue("the page must offer what the endpoint would allow");
        using (var r = await ApiHost.PostAsync(ops, $"/otp/api/processes/{ApiHost.Url(host.Named("teller"))}/suspend")) r.StatusCode.Should().Be(HttpStatusCode.OK);
        var plain = await host.Client.GetFromJsonAsync<JsonElement>("/otp/api/node");
        plain.GetProperty("capabilities").GetProperty("operate").GetBoolean().Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\u0001b")]
    public async Task Exit_WithABadReason_Is400_AndTheProcessLives(string reason)
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
        });
        using var client = host.NewClient("olga", "operator");
        var vault = host.Named("vault");
        using var r = await ApiHost.PostAsync(client, $"/otp/api/processes/{ApiHost.Url(vault)}/exit", new { reason });
        r.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        await ShouldBeUntouchedAsync(host, vault);
    }

    [Fact]
    public async Task ActionsOnMissingTargets_AreTypedErrors_NeverCrashes()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
            o.UpgradePolicy = "upgrade";
        });
        using var client = host.NewClient("olga", "operator", "upgrader");
        var workers = ApiHost.Url(host.Named("workers"));
        var vault = ApiHost.Url(host.Named("vault"));
        (await ApiHost.PostAsync(client, "/otp/api/processes/0.999999.0/suspend")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ApiHost.PostAsync(client, $"/otp/api/supervisors/{workers}/children/nobody/restart")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ApiHost.PostAsync(client, $"/otp/api/supervisors/{vault}/children/x/restart")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiHost.PostAsync(client, "/otp/api/modules/nothing/upgrade", new { file = "x.dll" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ApiHost.PostAsync(client, "/otp/api/modules/nothing/purge")).StatusCode.Should().Be(HttpStatusCode.OK); // no old code: nothing to do
        (await ApiHost.PostAsync(client, "/otp/api/releases/9.9.9/install")).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var plain = host.Node.Spawn(async ctx => await ctx.ReceiveAsync());
        (await ApiHost.PostAsync(client, $"/otp/api/processes/{ApiHost.Url(plain)}/suspend")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        host.Node.Exit(plain, ExitReason.Kill);
    }

    [Fact]
    public async Task RestartChild_GivesTheChildANewPid_AndTerminateLeavesItStopped()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.EnableActions = true;
            o.OperatePolicy = "operate";
        });
        using var client = host.NewClient("olga", "operator");
        var workers = ApiHost.Url(host.Named("workers"));
        var vault = host.Named("vault");
        using (var r = await ApiHost.PostAsync(client, $"/otp/api/supervisors/{workers}/children/vault/restart")) r.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Node.IsAlive(vault).Should().BeFalse();
        host.Named("vault").Should().NotBe(vault);
        using (var r = await ApiHost.PostAsync(client, $"/otp/api/supervisors/{workers}/children/vault/terminate")) r.StatusCode.Should().Be(HttpStatusCode.OK);
        host.Node.WhereIs("vault").Should().BeNull();
    }

    [Fact]
    public async Task Upgrade_FromTheModuleDirectory_MovesEveryProcessToTheNewVersion()
    {
        var dir = Directory.CreateTempSubdirectory("otp-dashboard-modules-").FullName;
        try
        {
            File.Copy(Repository.Counter(1), Path.Combine(dir, "counter-1.dll"));
            File.Copy(Repository.Counter(2), Path.Combine(dir, "counter-2.dll"));
            File.WriteAllText(Path.Combine(dir, "notes.dll"), "not an assembly");
            await using var host = await ApiHost.StartAsync(o =>
            {
                o.EnableActions = true;
                o.UpgradePolicy = "upgrade";
                o.ModuleDirectory = dir;
            });
            await host.Node.Code.LoadAsync(Path.Combine(dir, "counter-1.dll"));
            var counters = new List<Pid>();
            for (var i = 0; i < 3; i++) counters.Add((await host.Node.Code.StartGenServerAsync("counter", i)).GetPidOrThrow());
            using var client = host.NewClient("uma", "upgrader");

            var modules = await client.GetFromJsonAsync<JsonElement>("/otp/api/modules");
            var counter = modules.EnumerateArray().Single(m => m.GetProperty("module").GetString() == "counter");
            counter.GetProperty("available").EnumerateArray().Select(a => a.GetProperty("file").GetString()).Should().Equal("counter-2.dll");
            counter.GetProperty("versions").EnumerateArray().Single().GetProperty("processes").GetArrayLength().Should().Be(3);

            (await ApiHost.PostAsync(client, "/otp/api/modules/counter/upgrade", new { file = "../counter-2.dll" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await ApiHost.PostAsync(client, "/otp/api/modules/counter/upgrade", new { file = "notes.dll" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            using (var r = await ApiHost.PostAsync(client, "/otp/api/modules/counter/upgrade", new { file = "counter-2.dll" }))
            {
                r.StatusCode.Should().Be(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
            }

            var rows = await client.GetFromJsonAsync<JsonElement>("/otp/api/processes");
            var versions = rows.EnumerateArray().Where(r => r.GetProperty("module").GetString() == "counter").Select(r => r.GetProperty("version").GetString()).ToArray();
            versions.Should().HaveCount(3).And.AllBe("2");
            modules = await client.GetFromJsonAsync<JsonElement>("/otp/api/modules");
            counter = modules.EnumerateArray().Single(m => m.GetProperty("module").GetString() == "counter");
            var byVersion = counter.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("status").GetString());
            byVersion["2"].Should().Be("current");
            byVersion["1"].Should().BeOneOf("pendingUnload", "unloaded");
            counter.GetProperty("pinnedBy").GetArrayLength().Should().Be(0);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
