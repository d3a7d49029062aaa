using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers;

/// <summary>The seed articles' servers through the public API only: KV (001, 004) and CountServer (003 §1.2–1.3).</summary>
public sealed class SeedScenarioTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    internal sealed record Get(string Key, object? Default = null);

    internal sealed record Put(string Key, object Value);

    private sealed class Kv : GenServer<Dictionary<string, object>>
    {
        public override ValueTask<InitResult<Dictionary<string, object>>> InitAsync(object? args, CancellationToken ct) => Ok(new());

        public override ValueTask<ServerResult<Dictionary<string, object>>> HandleCallAsync(object request, From from, Dictionary<string, object> state, CancellationToken ct) => request switch
        {
            Get g => Reply(state.GetValueOrDefault(g.Key, g.Default!), state),
            Put p => Reply(Atom.Of("ok"), new Dictionary<string, object>(state) { [p.Key] = p.Value }),
            _ => Reply(Atom.Of("error"), state),
        };
    }

    [Fact] // S3, S4, S5 on the seed's KV server: suspend -> change_code -> resume keeps the state
    public async Task Kv_PutGet_ThenSuspendChangeCodeResume_KeepsValues()
    {
        (await GenServer.StartAsync(_node, new Kv(), null, new GenServerOptions { Name = "KV" })).IsOk.Should().BeTrue();
        var kv = ServerRef.Named(_node, "KV");
        (await GenServer.CallAsync(kv, new Get("a"))).Should().BeNull();
        (await GenServer.CallAsync(kv, new Put("a", 42))).Should().Be(Atom.Of("ok"));
        (await GenServer.CallAsync(kv, new Get("a"))).Should().Be(42);

        await SysOps.SuspendAsync(kv);
        var pending = GenServer.CallAsync(kv, new Put("b", 2));
        (await SysOps.ChangeCodeAsync(kv, null, 0, null)).IsOk.Should().BeTrue();
        await SysOps.ResumeAsync(kv);

        (await pending).Should().Be(Atom.Of("ok"));
        (await GenServer.CallAsync(kv, new Get("a"))).Should().Be(42);
        (await GenServer.CallAsync(kv, new Get("b"))).Should().Be(2);
    }

    /// <summary>CountServer: ticks every interval, adding 2; its code_change evens out an odd count.</summary>
    private sealed class CountServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken ct)
        {
            Self.Node.SendAfter(TimeSpan.FromMilliseconds(1), Self.Self, Atom.Of("increment"));
            return Ok((int)args!);
        }

        public override ValueTask<ServerResult<int>> HandleInfoAsync(object message, int n, CancellationToken ct)
        {
            Self.Node.SendAfter(TimeSpan.FromMilliseconds(1), Self.Self, Atom.Of("increment"));
            return NoReply(n + 2);
        }

        public override ValueTask<CodeChangeResult<int>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken ct) =>
            (int)oldState! % 2 == 1 ? CodeChangeResult<int>.Ok((int)oldState - 1) : CodeChangeResult<int>.Ok((int)oldState);
    }

    [Fact] // S4, S5: CountServer's code_change fixes an odd count
    public async Task CountServer_OddCount_CodeChangeEvensItOut()
    {
        var pid = (await GenServer.StartAsync(_node, new CountServer(), 1)).GetPidOrThrow();
        await SysOps.SuspendAsync(pid);
        var odd = await SysOps.GetStateAsync<int>(pid);
        (odd % 2).Should().Be(1);
        (await SysOps.ChangeCodeAsync(pid, null, null, TermList.Empty)).IsOk.Should().BeTrue();
        (await SysOps.GetStateAsync<int>(pid)).Should().Be(odd - 1);
        await SysOps.ResumeAsync(pid);
        var after = await SysOps.GetStateAsync<int>(pid);
        (after % 2).Should().Be(0);
    }
}
