using Otp.Net.Distribution;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Distribution;

/// <summary>spawn and spawn_link on another node, and a GenServer module started there.</summary>
public sealed class RemoteSpawnTests : IAsyncLifetime
{
    private InMemoryCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await InMemoryCluster.StartAsync(2);
        // b lets others start two functions: one that reports to whoever asked, one that fails on request.
        _cluster.Cluster(1).RegisterSpawnable("reporter", async (ctx, arg) =>
        {
            if (arg is Pid to) ctx.Send(to, TermTuple.Of(Atom.Of("hello_from"), ctx.Node.Identity.Name));
            await ctx.ReceiveAsync();
        });
        _cluster.Cluster(1).RegisterSpawnable("fails", async (ctx, _) =>
        {
            await ctx.ReceiveAsync();
            throw new OtpExitException(ExitReason.Of(Atom.Of("boom")));
        });
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Spawn_StartsARegisteredFunction_OnTheOtherNode()
    {
        var probe = _cluster.Probe(0);
        var pid = await _cluster.Cluster(0).SpawnAsync("b@test", "reporter", probe.Pid);
        pid.IsRemote.Should().BeTrue();
        pid.Node.Name.Should().Be("b@test");
        ((object)await probe.ExpectMsgAsync<TermTuple>()).Should().Be(TermTuple.Of(Atom.Of("hello_from"), "b@test"));
        _cluster[1].IsAlive(_cluster[1].FindProcess(pid.Id)!.Value).Should().BeTrue();
    }

    [Fact] // P3 across nodes: spawn_link links before the new process runs, both ways
    public async Task SpawnLink_LinksTheCaller_BothWays()
    {
        var probe = _cluster.Probe(0);
        var pid = await probe.RunAsync(_ => _cluster.Cluster(0).SpawnAsync("b@test", "fails", link: true));
        probe.Send(pid, "go");
        (await probe.ExpectExitMessageAsync(pid)).Reason.Should().Be(ExitReason.Of(Atom.Of("boom")));

        // The other way: the caller's exit reaches the spawned process.
        var spawned = new TaskCompletionSource<Pid>(TaskCreationOptions.RunContinuationsAsynchronously);
        var linker = _cluster[0].Spawn(async ctx =>
        {
            spawned.SetResult(await _cluster.Cluster(0).SpawnAsync("b@test", "reporter", link: true));
            await ctx.ReceiveAsync();
            throw new OtpExitException(ExitReason.Of(Atom.Of("boom")));
        });
        var onB = _cluster[1].FindProcess((await spawned.Task).Id)!.Value;
        var watcher = _cluster.Probe(1);
        var monitor = await watcher.WatchAsync(onB);
        _cluster[0].Send(linker, "go");
        (await watcher.ExpectDownAsync(monitor)).Reason.Should().Be(ExitReason.Of(Atom.Of("boom")));
    }

    [Fact] // X7
    public async Task SpawnLink_ToANodeNotConnected_ReturnsAPid_AndNoConnectionAtOnce()
    {
        var probe = _cluster.Probe(0);
        var pid = await probe.RunAsync(_ => _cluster.Cluster(0).SpawnAsync("nowhere@test", "reporter", link: true));
        pid.Node.Name.Should().Be("nowhere@test");
        (await probe.ExpectExitMessageAsync(pid)).Reason.Should().Be(ExitReason.NoConnection);
        var spawn = () => _cluster.Cluster(0).SpawnAsync("nowhere@test", "reporter");
        await spawn.Should().ThrowAsync<DistributionException>();
    }

    [Fact]
    public async Task Spawn_OfAFunctionTheNodeDoesNotList_IsATypedError()
    {
        var act = () => _cluster.Cluster(0).SpawnAsync("b@test", "rm -rf");
        (await act.Should().ThrowAsync<DistributionException>()).Which.Message.Should().Contain("no spawnable 'rm -rf'");
        var reserved = () => _cluster.Cluster(1).RegisterSpawnable("$gen_server:x", (_, _) => Task.CompletedTask);
        reserved.Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task StartGenServer_StartsAModuleLoadedThere_AndItAnswersCalls()
    {
        await _cluster[1].Code.LoadAsync(Fixtures.Kv(0));
        var pid = await _cluster.Cluster(0).StartGenServerAsync("b@test", "kv");
        pid.Node.Name.Should().Be("b@test");
        (await GenServer.CallAsync(pid, TermTuple.Of("put", "a", 1L))).Should().Be(Atom.Of("ok"));
        (await GenServer.CallAsync(pid, TermTuple.Of("get", "a"))).Should().Be(1L);
        var missing = () => _cluster.Cluster(0).StartGenServerAsync("b@test", "no_such_module");
        await missing.Should().ThrowAsync<DistributionException>();
    }
}
