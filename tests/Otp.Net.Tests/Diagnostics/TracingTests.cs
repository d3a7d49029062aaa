using System.Diagnostics;
using Otp.Net.Code;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;
using Otp.Net.Tests.Code;

namespace Otp.Net.Tests.Diagnostics;

[Collection(TracingCollection.Name)]
public sealed class TracingTests : IDisposable
{
    private readonly Node _node = new();
    private readonly SpanRecorder _spans = new();

    public void Dispose()
    {
        _node.Dispose();
        _spans.Dispose();
    }

    private async Task<Pid> StartEcho(SeenActivities? seen = null) => (await GenServer.StartAsync(_node, new Echo(), seen ?? new SeenActivities())).GetPidOrThrow();

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) as string;

    [Fact]
    public async Task Call_InsideTrace_ClientAndServerSpansChainThroughTwoServers()
    {
        var backSeen = new SeenActivities();
        var back = await StartEcho(backSeen);
        var frontSeen = new SeenActivities();
        var front = (await GenServer.StartAsync(_node, new Relay(), new RelayState(back, frontSeen))).GetPidOrThrow();
        ActivityTraceId trace;
        ActivitySpanId rootId;
        using (var root = SpanRecorder.TestSource.StartActivity("request")!)
        {
            trace = root.TraceId;
            rootId = root.SpanId;
            (await GenServer.CallAsync(front, "hop")).Should().Be("relayed hop");
        }
        var callFront = await _spans.WaitForAsync("call relay", trace);
        var handleFront = await _spans.WaitForAsync("handle_call relay", trace);
        var callBack = await _spans.WaitForAsync("call echo", trace);
        var handleBack = await _spans.WaitForAsync("handle_call echo", trace);
        callFront.ParentSpanId.Should().Be(rootId);
        callFront.Kind.Should().Be(ActivityKind.Client);
        handleFront.ParentSpanId.Should().Be(callFront.SpanId);
        handleFront.Kind.Should().Be(ActivityKind.Server);
        callBack.ParentSpanId.Should().Be(handleFront.SpanId);
        handleBack.ParentSpanId.Should().Be(callBack.SpanId);
        Tag(callFront, OtpDiagnostics.ModuleTag).Should().Be("relay");
        Tag(callFront, "otp.pid").Should().Be(front.ToString());
        Tag(handleBack, OtpDiagnostics.ModuleTag).Should().Be("echo");
        // Each handler ran with its own server span as the current activity.
        frontSeen.Entries.Single().Current!.SpanId.Should().Be(handleFront.SpanId);
        backSeen.Entries.Single().Current!.SpanId.Should().Be(handleBack.SpanId);
        new[] { callFront, handleFront, callBack, handleBack }.Should().OnlyContain(a => a.Status != ActivityStatusCode.Error);
    }

    [Fact]
    public async Task Call_HandlerCrashes_BothSpansFailedWithTheExceptionType()
    {
        var echo = await StartEcho();
        ActivityTraceId trace;
        using (var root = SpanRecorder.TestSource.StartActivity("request")!)
        {
            trace = root.TraceId;
            var call = () => GenServer.CallAsync(echo, "crash");
            await call.Should().ThrowAsync<CallException>();
        }
        var client = await _spans.WaitForAsync("call echo", trace);
        var server = await _spans.WaitForAsync("handle_call echo", trace);
        client.Status.Should().Be(ActivityStatusCode.Error);
        server.Status.Should().Be(ActivityStatusCode.Error);
        Tag(server, OtpDiagnostics.ErrorTypeTag).Should().Be(typeof(InvalidOperationException).FullName);
        Tag(client, OtpDiagnostics.ErrorTypeTag).Should().Be(typeof(InvalidOperationException).FullName);
    }

    [Fact]
    public async Task Call_ToDeadServer_ClientSpanFailedWithNoproc()
    {
        var echo = await StartEcho();
        await GenServer.StopAsync(echo);
        ActivityTraceId trace;
        using (var root = SpanRecorder.TestSource.StartActivity("request")!)
        {
            trace = root.TraceId;
            var call = () => GenServer.CallAsync(echo, "x");
            (await call.Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(ExitReason.NoProc);
        }
        // A pid whose process is gone resolves to nothing: no span is started for it, the trace holds only the root.
        _spans.Stopped.Where(a => a.TraceId == trace).Select(a => a.DisplayName).Should().Equal("request");
    }

    [Fact]
    public async Task Cast_InsideTrace_ProducerAndConsumerSpans_HandlerSeesItsSpan()
    {
        var seen = new SeenActivities();
        var echo = await StartEcho(seen);
        ActivityTraceId trace;
        ActivitySpanId rootId;
        using (var root = SpanRecorder.TestSource.StartActivity("request")!)
        {
            trace = root.TraceId;
            rootId = root.SpanId;
            GenServer.Cast(echo, "note");
        }
        var producer = await _spans.WaitForAsync("cast echo", trace);
        var consumer = await _spans.WaitForAsync("handle_cast echo", trace);
        producer.Kind.Should().Be(ActivityKind.Producer);
        producer.ParentSpanId.Should().Be(rootId);
        consumer.Kind.Should().Be(ActivityKind.Consumer);
        consumer.ParentSpanId.Should().Be(producer.SpanId);
        var entry = await seen.Next.Task.Within();
        entry.Message.Should().Be("note");
        entry.Current!.SpanId.Should().Be(consumer.SpanId);
    }

    [Fact]
    public async Task Send_InsideTrace_HandleInfoSpanIsChildOfSender_MessageArrivesUnchanged()
    {
        var seen = new SeenActivities();
        var echo = await StartEcho(seen);
        var message = new Ping(7);
        ActivityTraceId trace;
        ActivitySpanId rootId;
        using (var root = SpanRecorder.TestSource.StartActivity("request")!)
        {
            trace = root.TraceId;
            rootId = root.SpanId;
            _node.Send(echo, message);
        }
        var info = await _spans.WaitForAsync("handle_info echo", trace);
        info.ParentSpanId.Should().Be(rootId);
        info.Kind.Should().Be(ActivityKind.Consumer);
        var entry = await seen.Next.Task.Within();
        entry.Message.Should().BeSameAs(message);
        entry.Current!.SpanId.Should().Be(info.SpanId);
    }

    [Fact]
    public async Task Send_OutsideAnyTrace_NoHandleInfoSpan()
    {
        var seen = new SeenActivities();
        var echo = await StartEcho(seen);
        _node.Send(echo, "untraced");
        var entry = await seen.Next.Task.Within();
        entry.Current.Should().BeNull();
        await GenServer.CallAsync(echo, "sync"); // served after the message
        _spans.Stopped.Should().NotContain(a => a.DisplayName == "handle_info echo");
    }

    [Fact]
    public async Task Send_SelectiveReceive_PredicateSeesMessages_ReceiverGetsEachOnesContext()
    {
        var first = new Ping(1);
        var second = new Ping(2);
        var ready = new TaskCompletionSource();
        var contexts = new TaskCompletionSource<(object, ActivityContext, object, ActivityContext)>();
        var receiver = _node.Spawn(async ctx =>
        {
            await ctx.ReceiveAsync(m => m is "go");
            ready.SetResult();
            // The second message is taken first: the first waits in the save queue with its context.
            var b = await ctx.ReceiveAsync(m => m is Ping { N: 2 });
            var bContext = ctx.ReceivedTraceContext;
            var a = await ctx.ReceiveAsync();
            contexts.SetResult((b, bContext, a, ctx.ReceivedTraceContext));
        });
        _node.Send(receiver, "go");
        await ready.Task.Within();
        ActivityContext firstContext, secondContext;
        using (var one = SpanRecorder.TestSource.StartActivity("one")!)
        {
            firstContext = one.Context;
            _node.Send(receiver, first);
        }
        using (var two = SpanRecorder.TestSource.StartActivity("two")!)
        {
            secondContext = two.Context;
            _node.Send(receiver, second);
        }
        var (takenFirst, takenFirstContext, takenSecond, takenSecondContext) = await contexts.Task.Within();
        takenFirst.Should().BeSameAs(second);
        takenFirstContext.SpanId.Should().Be(secondContext.SpanId);
        takenSecond.Should().BeSameAs(first);
        takenSecondContext.SpanId.Should().Be(firstContext.SpanId);
        takenSecondContext.TraceId.Should().Be(firstContext.TraceId);
    }

    [Fact]
    public async Task Sys_InsideTrace_ClientSpanPerOperation()
    {
        var echo = await StartEcho();
        ActivityTraceId trace;
        using (var root = SpanRecorder.TestSource.StartActivity("admin")!)
        {
            trace = root.TraceId;
            await SysOps.SuspendAsync(echo);
            await SysOps.GetStateAsync(echo);
            await SysOps.ResumeAsync(echo);
        }
        foreach (var op in new[] { "suspend", "get_state", "resume" })
        {
            var span = await _spans.WaitForAsync("sys " + op, trace);
            span.Kind.Should().Be(ActivityKind.Client);
            Tag(span, "otp.operation").Should().Be(op);
            Tag(span, OtpDiagnostics.ModuleTag).Should().Be("echo");
        }
    }

    [Fact]
    public async Task Restart_ChildKilled_RestartSpanWithSupervisorAndChild()
    {
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Intensity = 5 },
            [ChildSpec.ForGenServer<Echo>(Atom.Of("worker"))], new GenServerOptions { Name = "traced_sup" })).GetPidOrThrow();
        var worker = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        _node.Exit(worker, ExitReason.Kill);
        var restart = await _spans.WaitForAsync(a => a.DisplayName == "restart worker" && Tag(a, "otp.supervisor") == "traced_sup");
        Tag(restart, "otp.child.id").Should().Be("worker");
        Tag(restart, "otp.exit_reason").Should().Be("killed");
        restart.Status.Should().NotBe(ActivityStatusCode.Error);
        (await Supervisor.WhichChildrenAsync(sup)).Single().Pid.Should().NotBe(worker);
    }

    [Fact]
    public async Task Upgrade_SpanWithVersions_SysStepsAreItsChildren()
    {
        _node.Code.Load(Fixtures.Counter(1));
        var pid = (await _node.Code.StartGenServerAsync("counter", 0)).GetPidOrThrow();
        var report = await _node.Code.UpgradeAsync("counter", Fixtures.Counter(2));
        var upgrade = await _spans.WaitForAsync(a => a.DisplayName == "upgrade counter" && a.Duration > TimeSpan.Zero);
        Tag(upgrade, OtpDiagnostics.ModuleTag).Should().Be("counter");
        Tag(upgrade, "otp.module.from_version").Should().Be(report.FromVersion);
        Tag(upgrade, "otp.module.to_version").Should().Be(report.ToVersion);
        foreach (var op in new[] { "suspend", "change_code", "resume" })
        {
            var step = await _spans.WaitForAsync("sys " + op, upgrade.TraceId);
            step.ParentSpanId.Should().Be(upgrade.SpanId);
            Tag(step, "otp.pid").Should().Be(pid.ToString());
            Tag(step, OtpDiagnostics.ModuleTag).Should().Be("counter");
        }
    }

    [Fact]
    public async Task Upgrade_CodeChangeFails_SpanFailedWithUpgradeFailed()
    {
        _node.Code.Load(Fixtures.Counter(1));
        await _node.Code.StartGenServerAsync("counter", 5); // counts 5..7 make Counter V4's CodeChange throw
        var act = () => _node.Code.UpgradeAsync("counter", Fixtures.Counter(4));
        await act.Should().ThrowAsync<UpgradeFailedException>();
        var upgrade = await _spans.WaitForAsync(a => a.DisplayName == "upgrade counter");
        upgrade.Status.Should().Be(ActivityStatusCode.Error);
        Tag(upgrade, OtpDiagnostics.ErrorTypeTag).Should().Be("upgrade_failed");
    }

    private sealed record Ping(int N);
}
