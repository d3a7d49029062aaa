using System.Net;
using System.Text.Json;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>The trees endpoint on dynamic, simple_one_for_one, deep, dying and suspended supervisors.</summary>
public sealed class TreeProbes
{
    private static IEnumerable<JsonElement> Walk(JsonElement node)
    {
        yield return node;
        if (node.GetProperty("children").ValueKind != JsonValueKind.Array) yield break;
        foreach (var c in node.GetProperty("children").EnumerateArray())
        {
            foreach (var d in Walk(c)) yield return d;
        }
    }

    private static IEnumerable<JsonElement> All(JsonElement trees) => trees.EnumerateArray().SelectMany(t => Walk(t.GetProperty("root")));

    [Fact]
    public async Task DynamicAndSimpleOneForOneChildren_HaveNoIdButTheirPids()
    {
        await using var host = await ProbeHost.StartAsync(otp => otp.AddApplication("dyn", a => a.Supervisor(s => s
            .DynamicSupervisor("pool", name: "pool"))));
        var pool = host.Node.WhereIs("pool")!.Value;
        var dynamicChildren = new List<Pid>();
        for (var i = 0; i < 3; i++) dynamicChildren.Add((await DynamicSupervisor.StartChildAsync(pool, ChildSpec.ForGenServer<ProbeWorker>("w"), ProbeHost.Safety)).GetPidOrThrow());
        var sofo = (await Supervisor.StartLinkAsync(host.Node, new SupervisorFlags { Strategy = Strategy.SimpleOneForOne, Intensity = 5, PeriodSeconds = 10 },
            [ChildSpec.Template("tmpl", (node, args) => GenServer.StartLinkAsync(node, new ProbeWorker()))])).GetPidOrThrow();
        var sofoChildren = new List<Pid>();
        for (var i = 0; i < 3; i++) sofoChildren.Add((await Supervisor.StartChildAsync(sofo, [], ProbeHost.Safety)).GetPidOrThrow());

        var trees = await host.JsonAsync("/otp/api/trees");
        var poolNode = All(trees).Single(n => n.GetProperty("pid").GetString() == pool.ToString());
        var children = poolNode.GetProperty("children").EnumerateArray().ToArray();
        children.Select(c => c.GetProperty("pid").GetString()).Should().BeEquivalentTo(dynamicChildren.Select(p => p.ToString()));
        children.Should().OnlyContain(c => c.GetProperty("status").GetString() == "running");
        var sofoTree = trees.EnumerateArray().Single(t => t.GetProperty("root").GetProperty("pid").GetString() == sofo.ToString());
        sofoTree.GetProperty("application").ValueKind.Should().Be(JsonValueKind.Null);
        var root = sofoTree.GetProperty("root");
        root.GetProperty("strategy").GetString().Should().Be("simple_one_for_one");
        var sofoNodes = root.GetProperty("children").EnumerateArray().ToArray();
        sofoNodes.Select(c => c.GetProperty("pid").GetString()).Should().BeEquivalentTo(sofoChildren.Select(p => p.ToString()));
        sofoNodes.Should().OnlyContain(c => c.GetProperty("id").ValueKind == JsonValueKind.Null && c.GetProperty("status").GetString() == "running");
        host.Node.Exit(sofo, ExitReason.Shutdown);
    }

    [Fact]
    public async Task NestedFourDeep_IsWalkedToTheLeaf()
    {
        await using var host = await ProbeHost.StartAsync(otp => otp.AddApplication("deep", a => a.Supervisor(s => s
            .Supervisor("l1", l1 => l1.Supervisor("l2", l2 => l2.Supervisor("l3", l3 => l3.Supervisor("l4", l4 => l4.GenServer<ProbeWorker>("leaf", name: "leaf"))))))));
        var trees = await host.JsonAsync("/otp/api/trees");
        var node = trees.EnumerateArray().Single(t => t.GetProperty("application").GetString() == "deep").GetProperty("root");
        foreach (var id in new[] { "l1", "l2", "l3", "l4", "leaf" })
        {
            node = node.GetProperty("children").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);
        }
        node.GetProperty("pid").GetString().Should().Be(host.Node.WhereIs("leaf").ToString());
        node.GetProperty("type").GetString().Should().Be("worker");
    }

    [Fact]
    public async Task SupervisorsDyingAtMaxIntensity_WhileTreesAreRead_TreesAlwaysAnswer()
    {
        await using var host = await ProbeHost.StartAsync();
        for (var round = 0; round < 20; round++)
        {
            var specs = Enumerable.Range(0, 30).Select(i => ChildSpec.ForGenServer<ProbeWorker>($"w{i}")).ToArray();
            var sup = (await Supervisor.StartLinkAsync(host.Node, new SupervisorFlags { Intensity = 0, PeriodSeconds = 10 }, specs)).GetPidOrThrow();
            var children = await Supervisor.WhichChildrenAsync(sup, ProbeHost.Safety);
            var reads = Enumerable.Range(0, 3).Select(_ => host.Client.GetAsync("/otp/api/trees")).ToArray();
            host.Node.Exit(children[round % children.Count].Pid, ExitReason.Kill); // intensity 0: the supervisor gives up
            (await host.Node.WaitForExitAsync(sup).WaitAsync(ProbeHost.Safety)).Should().NotBeNull();
            foreach (var read in reads)
            {
                using var response = await read;
                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            }
        }
        (await host.JsonAsync("/otp/api/trees")).ValueKind.Should().Be(JsonValueKind.Array);
    }

    [Fact]
    public async Task ASuspendedApplicationSupervisor_StaysInTheTrees()
    {
        await using var host = await ProbeHost.StartAsync(
            otp => otp.AddApplication("shop", a => a.Supervisor(s => s.GenServer<ProbeWorker>("clerk", name: "clerk"))),
            o => o.CallTimeout = TimeSpan.FromMilliseconds(300));
        var shop = host.Node.WhereIs("shop")!.Value;
        await Sys.SysOps.SuspendAsync(shop, ProbeHost.Safety);
        var trees = await host.JsonAsync("/otp/api/trees");
        await Sys.SysOps.ResumeAsync(shop, ProbeHost.Safety);
        trees.EnumerateArray().Select(t => t.GetProperty("application").GetString()).Should().Contain("shop",
            "a supervisor suspended from the dashboard's own button is still part of its application's tree");
    }
}
