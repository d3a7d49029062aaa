using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>Process detail of modules that expose their state: cyclic, huge, failing, busy or changing states.</summary>
public sealed class StateProbes
{
    private static async Task<(HttpStatusCode Status, JsonElement Body, TimeSpan Took)> DetailAsync(ProbeHost host, Pid pid)
    {
        var watch = Stopwatch.StartNew();
        using var response = await host.Client.GetAsync($"/otp/api/processes/{ProbeHost.Url(pid)}");
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), watch.Elapsed);
    }

    private static async Task<Pid> StartAsync(ProbeHost host, GenServerBase module) =>
        (await GenServer.StartAsync(host.Node, module)).GetPidOrThrow();

    [Fact]
    public async Task CyclicState_WithoutFormatStatus_IsShownBounded()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new CyclicServer());
        var (_, detail, took) = await DetailAsync(host, pid);
        detail.GetProperty("stateVisible").GetBoolean().Should().BeTrue();
        var state = detail.GetProperty("state").GetString();
        state.Should().NotBeNull();
        state!.Length.Should().BeLessThanOrEqualTo(TermFormatter.MaxLength + 16);
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
        host.Node.IsAlive(pid).Should().BeTrue();
    }

    [Fact]
    public async Task CyclicRecordState_WithoutFormatStatus_IsShownQuickly()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new RingServer());
        var (_, detail, took) = await DetailAsync(host, pid);
        detail.GetProperty("state").GetString().Should().NotBeNull();
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SelfContainingCollections_WithoutFormatStatus_AreShownBounded()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new SelfContainingServer());
        var (_, detail, took) = await DetailAsync(host, pid);
        detail.GetProperty("state").GetString()!.Length.Should().BeLessThanOrEqualTo(TermFormatter.MaxLength + 16);
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task AStateCollectionThatCannotBeEnumerated_IsShownAsText_Not500()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new UnenumerableServer());
        var (_, detail, _) = await DetailAsync(host, pid);
        detail.GetProperty("state").GetString().Should().NotBeNull();
    }

    [Fact]
    public async Task ASuspendedProcess_StillShowsItsState()
    {
        await using var host = await ProbeHost.StartAsync(dashboard: o => o.CallTimeout = TimeSpan.FromSeconds(5));
        var pid = await StartAsync(host, new ThrowingFormatServer());
        await Sys.SysOps.SuspendAsync(pid, ProbeHost.Safety);
        var (_, detail, took) = await DetailAsync(host, pid);
        detail.GetProperty("suspended").GetBoolean().Should().BeTrue();
        detail.GetProperty("status").GetString().Should().Be("suspended");
        detail.GetProperty("state").GetString().Should().Contain("format_status failed", "sys get_status is answered while suspended");
        took.Should().BeLessThan(TimeSpan.FromSeconds(4));
        await Sys.SysOps.ResumeAsync(pid, ProbeHost.Safety);
    }

    [Fact]
    public async Task HugeStringState_IsCut()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new HugeStringServer());
        var (_, detail, took) = await DetailAsync(host, pid);
        var state = detail.GetProperty("state").GetString()!;
        state.Length.Should().BeLessThanOrEqualTo(TermFormatter.MaxLength + 16);
        state.Should().EndWith("...");
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task MillionElementListState_IsCut()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new MillionServer());
        var (_, detail, took) = await DetailAsync(host, pid);
        var state = detail.GetProperty("state").GetString()!;
        state.Length.Should().BeLessThanOrEqualTo(TermFormatter.MaxLength + 16);
        state.Should().Contain("|...]");
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ThrowingFormatStatus_GivesAClearMessage_AndTheProcessLives()
    {
        await using var host = await ProbeHost.StartAsync();
        var pid = await StartAsync(host, new ThrowingFormatServer());
        var (_, detail, _) = await DetailAsync(host, pid);
        detail.GetProperty("state").GetString().Should().Contain("format_status failed").And.Contain("no status for you");
        host.Node.IsAlive(pid).Should().BeTrue();
        (await GenServer.CallAsync(pid, "ping", ProbeHost.Safety)).Should().Be("pong");
    }

    [Fact]
    public async Task BusyInALongCall_DetailAnswersWithinTheCallTimeout_WithNoState()
    {
        await using var host = await ProbeHost.StartAsync(dashboard: o => o.CallTimeout = TimeSpan.FromMilliseconds(300));
        var busy = new BusyServer();
        var pid = await StartAsync(host, busy);
        var call = GenServer.CallAsync(pid, "work", ProbeHost.Safety);
        await busy.Entered.Task.WaitAsync(ProbeHost.Safety);
        var (_, detail, took) = await DetailAsync(host, pid);
        took.Should().BeLessThan(TimeSpan.FromSeconds(5), "the dashboard's call timeout is 300 ms");
        detail.GetProperty("stateVisible").GetBoolean().Should().BeTrue();
        detail.GetProperty("state").ValueKind.Should().Be(JsonValueKind.Null);
        busy.Release.SetResult();
        (await call).Should().Be("done");
    }

    [Fact]
    public async Task BusyWith100kQueuedMessages_DetailAnswersWithinTheCallTimeout()
    {
        await using var host = await ProbeHost.StartAsync(dashboard: o => o.CallTimeout = TimeSpan.FromMilliseconds(300));
        var busy = new BusyServer();
        var pid = await StartAsync(host, busy);
        var call = GenServer.CallAsync(pid, "work", ProbeHost.Safety);
        await busy.Entered.Task.WaitAsync(ProbeHost.Safety);
        for (var i = 0; i < 100_000; i++) GenServer.Cast(pid, i);
        var (_, detail, took) = await DetailAsync(host, pid);
        took.Should().BeLessThan(TimeSpan.FromSeconds(5));
        detail.GetProperty("messageQueueLength").GetInt32().Should().BeGreaterThanOrEqualTo(100_000);
        detail.GetProperty("state").ValueKind.Should().Be(JsonValueKind.Null);
        var rows = await host.JsonAsync("/otp/api/processes");
        rows[0].GetProperty("pid").GetString().Should().Be(pid.ToString(), "the busiest mailbox comes first");
        busy.Release.SetResult();
        (await call).Should().Be("done");
    }

    /// <summary>
    /// The default FormatStatus hands out the live state object: printed outside the process, it could change meanwhile
    /// (a list it appends to) and the enumeration fail. The process prints it itself, between two callbacks.
    /// </summary>
    [Fact]
    public async Task TheStateIsPrintedByTheProcessItself_NeverReadFromAnotherThread()
    {
        await using var host = await ProbeHost.StartAsync();
        var gate = new Gate();
        var pid = await StartAsync(host, new ListServer(gate));
        var detail = host.Client.GetAsync($"/otp/api/processes/{ProbeHost.Url(pid)}");
        await gate.Entered.Task.WaitAsync(ProbeHost.Safety); // the page's request is printing the state
        gate.PrintedBy.Should().Be(pid, "the state is printed inside the process, which cannot change it meanwhile");
        gate.Release.SetResult();
        using var response = await detail.WaitAsync(ProbeHost.Safety);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        GenServer.Cast(pid, "add");
        (await GenServer.CallAsync(pid, "count", ProbeHost.Safety)).Should().Be(3, "the process goes on");
    }

    internal sealed class Cyclic
    {
        public List<object?> Items { get; } = [];

        public Cyclic? Self { get; set; }
    }

    internal sealed record Link(string Name)
    {
        public Link? Next { get; set; }
    }

    [ExposeStatus]
    internal sealed class CyclicServer : GenServer<object>
    {
        public override ValueTask<InitResult<object>> InitAsync(object? args, CancellationToken cancellationToken)
        {
            var c = new Cyclic();
            c.Self = c;
            c.Items.Add(c.Items);
            c.Items.Add(c);
            var ring = new Link("a") { Next = new Link("b") };
            ring.Next.Next = ring;
            c.Items.Add(ring);
            var map = new Dictionary<string, object?>();
            map["me"] = map;
            c.Items.Add(map);
            object?[] items = [c.Items, map, ring, c];
            return Ok((object)items);
        }
    }

    [ExposeStatus]
    internal sealed class RingServer : GenServer<Link>
    {
        public override ValueTask<InitResult<Link>> InitAsync(object? args, CancellationToken cancellationToken)
        {
            var ring = new Link("a") { Next = new Link("b") };
            ring.Next.Next = ring;
            return Ok(ring);
        }
    }

    [ExposeStatus]
    internal sealed class SelfContainingServer : GenServer<object>
    {
        public override ValueTask<InitResult<object>> InitAsync(object? args, CancellationToken cancellationToken)
        {
            var list = new List<object?>();
            list.Add(list);
            list.Add(list);
            var map = new Dictionary<string, object?>();
            map["me"] = map;
            map["list"] = list;
            return Ok((object)map);
        }
    }

    /// <summary>A half-written collection type: enumerating it throws.</summary>
    internal sealed class Unenumerable : System.Collections.IEnumerable
    {
        public System.Collections.IEnumerator GetEnumerator() => throw new NotSupportedException("not enumerable yet");
    }

    [ExposeStatus]
    internal sealed class UnenumerableServer : GenServer<Unenumerable>
    {
        public override ValueTask<InitResult<Unenumerable>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new Unenumerable());
    }

    [ExposeStatus]
    internal sealed class HugeStringServer : GenServer<string>
    {
        public override ValueTask<InitResult<string>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new string('x', 10 * 1024 * 1024));
    }

    [ExposeStatus]
    internal sealed class MillionServer : GenServer<List<int>>
    {
        public override ValueTask<InitResult<List<int>>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(Enumerable.Range(0, 1_000_000).ToList());
    }

    [ExposeStatus]
    internal sealed class ThrowingFormatServer : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(1);

        public override object? FormatStatus(int state) => throw new InvalidOperationException("no status for you");

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Reply("pong", state));
    }

    [ExposeStatus]
    internal sealed class BusyServer : GenServer<int>
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(1);

        public override async ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(ProbeHost.Safety, cancellationToken);
            return Reply("done", state);
        }

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) =>
            ValueTask.FromResult(NoReply(state + 1));
    }

    internal sealed class Gate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The process on whose turn the slow element was printed (undefined outside any process).</summary>
        public Otp.Net.Processes.Pid PrintedBy { get; set; }
    }

    /// <summary>An element whose text is printed slowly: it waits for the test while the dashboard prints it.</summary>
    internal sealed class SlowToPrint(Gate gate)
    {
        public override string ToString()
        {
            gate.PrintedBy = Otp.Net.Processes.ProcessContext.Current?.Self ?? default;
            if (gate.Entered.TrySetResult()) gate.Release.Task.Wait(ProbeHost.Safety);
            return "slow";
        }
    }

    [ExposeStatus]
    internal sealed class ListServer(Gate gate) : GenServer<List<object>>
    {
        public override ValueTask<InitResult<List<object>>> InitAsync(object? args, CancellationToken cancellationToken) =>
            Ok(new List<object> { new SlowToPrint(gate), 1 });

        public override ValueTask<ServerResult<List<object>>> HandleCastAsync(object request, List<object> state, CancellationToken cancellationToken)
        {
            state.Add(2);
            return ValueTask.FromResult(NoReply(state));
        }

        public override ValueTask<ServerResult<List<object>>> HandleCallAsync(object request, From from, List<object> state, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Reply(state.Count, state));
    }
}
