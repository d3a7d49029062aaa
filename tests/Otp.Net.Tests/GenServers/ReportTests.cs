using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers;

public sealed class ReportTests : IDisposable
{
    private readonly LoggedNode _logged = new();

    private CapturingLoggerProvider _logs => _logged.Logs;

    private LoggerFactory _factory => _logged.Factory;

    private Node _node => _logged.Node;

    public void Dispose() => _logged.Dispose();

    [Fact] // an abnormal exit logs one structured crash report: server, last message, state, reason
    public async Task AbnormalExit_LogsOneCrashReport_NormalStopLogsNone()
    {
        var pid = (await GenServer.StartAsync(_node, new TestServer(), null, new GenServerOptions { Name = "crashy" })).Pid;
        GenServer.Cast(pid, "incr");
        await FluentActions.Awaiting(() => GenServer.CallAsync(pid, ("crash", ExitReason.Of(Atom.Of("boom"))))).Should().ThrowAsync<CallException>();
        var report = _logs.Events.Should().ContainSingle(e => e.EventId.Id == 1000).Subject;
        report.Level.Should().Be(LogLevel.Error);
        report.Properties["Server"].Should().Be("crashy");
        report.Properties["State"].Should().Be("1");
        report.Properties["Reason"].Should().Be("boom");
        report.Properties["LastMessage"].Should().Be("{'$gen_call',{\"crash\",boom}}");

        var other = (await GenServer.StartAsync(_node, new TestServer())).Pid;
        await GenServer.StopAsync(other);
        _logs.Events.Count(e => e.EventId.Id == 1000).Should().Be(1);
    }

    [Fact] // sys:trace logs every message in and every reply out
    public async Task Trace_LogsMessagesInAndRepliesOut()
    {
        var pid = (await GenServer.StartAsync(_node, new TestServer())).Pid;
        await SysOps.TraceAsync(pid, true);
        await GenServer.CallAsync(pid, "incr");
        var trace = _logs.Events.Where(e => e.EventId.Id == 1002).Select(e => e.Message).ToArray();
        trace.Should().HaveCount(2);
        trace[0].Should().Contain("got").And.Contain("incr");
        trace[1].Should().Contain("sent").And.Contain("1");
    }

    [Fact] // supervisor reports: child terminated abnormally, reached max restart intensity
    public async Task Supervisor_ReportsChildTerminationAndMaxIntensity()
    {
        // Started from outside any process: no parent to link to.
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Intensity = 0 }, [ChildSpec.ForGenServer<TestServer>(Atom.Of("w"))])).Pid;
        var exit = _node.WaitForExitAsync(sup);
        var w = (await Supervisor.WhichChildrenAsync(sup)).Single().Pid;
        _node.Exit(w, ExitReason.Of(Atom.Of("boom")));
        await exit.Within();
        _logs.Events.Should().Contain(e => e.EventId.Id == 2001 && Equals(e.Properties["ChildId"], "w") && Equals(e.Properties["Reason"], "boom"));
        _logs.Events.Should().Contain(e => e.EventId.Id == 2003 && e.Category == "Otp.Net.Supervisor");
    }

    [Fact] // as OTP, a message sent to a supervisor is logged and dropped; the supervisor keeps running
    public async Task Supervisor_UnexpectedMessage_IsLoggedAndDropped()
    {
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [ChildSpec.ForGenServer<TestServer>(Atom.Of("w"))])).Pid;
        _node.Send(sup, Atom.Of("hello"));
        (await Supervisor.WhichChildrenAsync(sup)).Should().HaveCount(1); // served after the message
        _logs.Events.Should().Contain(e => e.EventId.Id == 2005 && Equals(e.Properties["Message"], "hello"));
    }
}
