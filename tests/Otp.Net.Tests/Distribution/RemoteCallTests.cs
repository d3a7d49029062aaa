using Otp.Net.Distribution;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Distribution;

/// <summary>GenServer calls, casts and sys operations to servers of other nodes (X6).</summary>
public sealed class RemoteCallTests : IAsyncLifetime
{
    private InMemoryCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await InMemoryCluster.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<Pid> StartKvAsync(string? name = "kv")
    {
        var started = await GenServer.StartAsync(_cluster[1], new KvServer(), options: name is null ? null : new GenServerOptions { Name = name });
        return started.Pid;
    }

    [Fact]
    public async Task ACall_ToARemoteServer_ByNameAndByPid_ReturnsItsReply()
    {
        var pid = await StartKvAsync();
        var byName = ServerRef.Remote("kv", "b@test", _cluster[0]);
        GenServer.Cast(byName, new Put("k", "v"));
        (await GenServer.CallAsync(byName, new Get("k"))).Should().Be("v");
        (await GenServer.CallAsync(_cluster.PidAt(0, pid), new Get("k"))).Should().Be("v");
        (await GenServer.CallAsync(byName, TermTuple.Of("who", 1L))).Should().Be(Atom.Of("kv"));
        // From inside a process, too.
        var fromProcess = await _cluster.Probe(0).RunAsync(_ => GenServer.CallAsync(ServerRef.Remote("kv", "b@test"), new Get("k")));
        fromProcess.Should().Be("v");
    }

    [Fact] // X6
    public async Task ACall_ToANameNotRegisteredOnTheNode_ExitsNoProc()
    {
        var act = () => GenServer.CallAsync(ServerRef.Remote("nobody", "b@test", _cluster[0]), "hello");
        var ex = (await act.Should().ThrowAsync<CallNoProcException>()).Which;
        TermFormatter.Format(ex.Reason).Should().Be("{noproc,{gen_server,call,[{nobody,b@test},\"hello\"]}}");
    }

    [Fact] // X6
    public async Task ACall_WhoseNodeGoesDown_ExitsNodeDown_BeforeItsTimeout()
    {
        await StartKvAsync();
        var call = GenServer.CallAsync(ServerRef.Remote("kv", "b@test", _cluster[0]), new Slow(60_000), TimeSpan.FromSeconds(30));
        var probe = _cluster.Probe(1);
        await probe.RunAsync(_ => Task.CompletedTask);
        await _cluster.CrashAsync(1);
        var ex = (await call.Awaiting(c => c).Should().ThrowAsync<CallServerExitedException>()).Which;
        TermFormatter.Format(ex.Reason).Should().StartWith("{{nodedown,b@test},{gen_server,call,[{kv,b@test},");
    }

    [Fact] // X6, X3: a node that is not connected
    public async Task ACall_ToANodeThatIsNotConnected_ExitsNodeDown()
    {
        var act = () => GenServer.CallAsync(ServerRef.Remote("kv", "nowhere@test", _cluster[0]), "hello");
        var ex = (await act.Should().ThrowAsync<CallServerExitedException>()).Which;
        TermFormatter.Format(ex.Reason).Should().Be("{{nodedown,nowhere@test},{gen_server,call,[{kv,nowhere@test},\"hello\"]}}");
    }

    [Fact] // G: a server that crashes during a remote call: the caller gets its reason, as locally
    public async Task ACall_ToARemoteServerThatCrashes_ExitsWithItsReason()
    {
        await StartKvAsync();
        var act = () => GenServer.CallAsync(ServerRef.Remote("kv", "b@test", _cluster[0]), "crash");
        var ex = (await act.Should().ThrowAsync<CallServerExitedException>()).Which;
        TermFormatter.Format(ex.Reason).Should().Contain("asked to crash");
    }

    [Fact]
    public async Task ACall_TimesOut_AsLocally_AndALateReplyIsDropped()
    {
        await StartKvAsync();
        var server = ServerRef.Remote("kv", "b@test", _cluster[0]);
        var act = () => GenServer.CallAsync(server, new Slow(300), TimeSpan.FromMilliseconds(50));
        await act.Should().ThrowAsync<CallTimeoutException>();
        (await GenServer.CallAsync(server, new Get("x"), TimeSpan.FromSeconds(10))).Should().BeNull();
    }

    [Fact]
    public async Task ARequestOrReply_ThatCannotCrossNodes_IsATypedError()
    {
        await StartKvAsync();
        var server = ServerRef.Remote("kv", "b@test", _cluster[0]);
        var request = () => GenServer.CallAsync(server, new Unlisted { X = 1 });
        await request.Should().ThrowAsync<MessageNotSerializableException>();
        var reply = () => GenServer.CallAsync(server, "unserializable");
        var ex = (await reply.Should().ThrowAsync<CallServerExitedException>()).Which;
        TermFormatter.Format(ex.Reason).Should().StartWith("{{bad_reply,");
        // The server and the connection go on.
        (await GenServer.CallAsync(server, new Get("k"))).Should().BeNull();
    }

    [Fact]
    public async Task SysOperations_ReachARemoteServer()
    {
        var pid = await StartKvAsync();
        var server = ServerRef.Remote("kv", "b@test", _cluster[0]);
        GenServer.Cast(server, new Put("a", "1"));
        await SysOps.SuspendAsync(server);
        _cluster[1].GetProcessInfo(pid)!.Status.Should().Be(ProcessStatus.Suspended);
        await SysOps.ResumeAsync(server);
        var state = await SysOps.GetStateAsync(server);
        state.Should().BeOfType<Dictionary<object, object?>>().Which["a"].Should().Be("1");
    }
}
