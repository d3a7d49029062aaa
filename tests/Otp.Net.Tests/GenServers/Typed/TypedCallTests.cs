using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers.Typed;

/// <summary>Calls whose requests declare their reply type (<see cref="ICall{TReply}"/>), next to the untyped OTP form.</summary>
public sealed class TypedCallTests : IDisposable
{
    private readonly LoggedNode _logged = new();

    private Node Node => _logged.Node;

    public void Dispose() => _logged.Dispose();

    private async Task<Pid> StartBankAsync() => (await GenServer.StartAsync(Node, new Bank())).GetPidOrThrow();

    [Fact]
    public async Task CallAsync_TypedRequest_ReturnsTheDeclaredReplyType()
    {
        var bank = await StartBankAsync();

        decimal afterDeposit = await GenServer.CallAsync(bank, new Deposit("a", 10.5m));
        decimal balance = await GenServer.CallAsync(bank, new GetBalance("a"));
        string? owner = await GenServer.CallAsync(bank, new GetOwner("a"));
        string? noOwner = await GenServer.CallAsync(bank, new GetOwner("b"));

        afterDeposit.Should().Be(10.5m);
        balance.Should().Be(10.5m);
        owner.Should().Be("ada");
        noOwner.Should().BeNull();
    }

    [Fact]
    public async Task CallAsync_TypedRequestThroughUntypedForm_StillSeesTheSameRequestAndReply()
    {
        var bank = await StartBankAsync();
        await GenServer.CallAsync(bank, new Deposit("a", 3m));

        object? reply = await GenServer.CallAsync(bank, (object)new GetBalance("a"));

        reply.Should().Be(3m);
    }

    [Fact]
    public async Task CallAsync_ServerRepliesWithWrongType_ThrowsCallReplyTypeAndServerKeepsItsState()
    {
        var bank = await StartBankAsync();
        await GenServer.CallAsync(bank, new Deposit("a", 7m));

        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync(bank, new GetBalanceText("a")))
            .Should().ThrowAsync<CallReplyTypeException>()).Which;

        ex.ExpectedType.Should().Be("System.Decimal");
        ex.ReplyType.Should().Be("System.String");
        ex.Should().BeAssignableTo<CallException>().And.BeAssignableTo<ICallFailure>();
        TermFormatter.Format(ex.Reason, v => v is Otp.Net.Processes.Pid ? "B" : null).Should()
            .Be("{{bad_reply_type,\"System.Decimal\",\"System.String\"},{gen_server,call,[B,GetBalanceText { Account = a }]}}");
        // The server is unharmed: same process, same state.
        (await GenServer.CallAsync(bank, new GetBalance("a"))).Should().Be(7m);
        Node.IsAlive(bank).Should().BeTrue();
        _logged.Logs.Events.Should().Contain(e => e.EventId.Id == 1003 && e.Level == LogLevel.Error && e.Message.Contains("System.String", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallAsync_NullReplyToValueTypedCall_ThrowsCallReplyTypeNamingNull()
    {
        var bank = await StartBankAsync();

        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync(bank, new GetNothing()))
            .Should().ThrowAsync<CallReplyTypeException>()).Which;

        ex.ReplyType.Should().Be("null");
        ex.ExpectedType.Should().Be("System.Decimal");
    }

    [Fact]
    public async Task CallAsyncOfT_UntypedRequestWithWrongReplyType_ThrowsCallReplyTypeNotInvalidCast()
    {
        var bank = await StartBankAsync();

        (await GenServer.CallAsync<decimal>(bank, "untyped_balance")).Should().Be(0m);
        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync<string>(bank, "untyped_balance"))
            .Should().ThrowAsync<CallReplyTypeException>()).Which;

        ex.ExpectedType.Should().Be("System.String");
        ex.ReplyType.Should().Be("System.Decimal");
    }

    [Fact] // G11
    public async Task Reply_DeferredTypedReply_ReachesTheTypedCaller()
    {
        var bank = await StartBankAsync();
        await GenServer.CallAsync(bank, new Deposit("z", 2m));

        var audit = GenServer.CallAsync(bank, new Audit("z"));
        GenServer.Cast(bank, new ReleaseAudit(WithWrongType: false));

        (await audit.Within()).Should().Be(new AuditReport("z", 2m));
    }

    [Fact] // G11
    public async Task Reply_DeferredReplyOfWrongType_CallerGetsCallReplyTypeAndServerRuns()
    {
        var bank = await StartBankAsync();

        var audit = GenServer.CallAsync(bank, new Audit("z"));
        GenServer.Cast(bank, new ReleaseAudit(WithWrongType: true));

        var ex = (await FluentActions.Awaiting(() => audit.Within()).Should().ThrowAsync<CallReplyTypeException>()).Which;
        ex.ExpectedType.Should().Be(typeof(AuditReport).FullName);
        ex.ReplyType.Should().Be("System.Int32");
        (await GenServer.CallAsync(bank, new GetBalance("z"))).Should().Be(0m);
    }

    [Fact] // G6
    public async Task CallAsync_DeadServer_ThrowsCallNoProcWithOtpExitTerm()
    {
        var bank = await StartBankAsync();
        await GenServer.StopAsync(bank);

        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync(bank, new GetBalance("a")))
            .Should().ThrowAsync<CallNoProcException>()).Which;

        ex.CallReason.Should().Be(ExitReason.NoProc);
        TermFormatter.Format(ex.Reason, v => v is Otp.Net.Processes.Pid ? "B" : null).Should().Be("{noproc,{gen_server,call,[B,GetBalance { Account = a }]}}");
    }

    [Fact] // G6
    public async Task CallAsync_UnregisteredName_ThrowsCallNoProc()
    {
        var act = () => GenServer.CallAsync(ServerRef.Named(Node, "no_bank"), new GetBalance("a"));

        (await act.Should().ThrowAsync<CallNoProcException>()).Which.Arguments[0].Should().Be(Atom.Of("no_bank"));
    }

    [Fact] // G5, G6, G7
    public async Task CallAsync_Timeout_ThrowsCallTimeoutWhichIsATimeoutException()
    {
        var bank = await StartBankAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync(bank, new Hold(gate), TimeSpan.FromMilliseconds(20)))
            .Should().ThrowAsync<TimeoutException>()).Which;

        var timeout = ex.Should().BeOfType<CallTimeoutException>().Subject;
        timeout.CallReason.Should().Be(CallException.Timeout);
        TermFormatter.Format(timeout.Reason, v => v is Otp.Net.Processes.Pid ? "B" : null).Should().StartWith("{timeout,{gen_server,call,[B,").And.EndWith(",20]}}");
        gate.SetResult();
        (await GenServer.CallAsync(bank, new GetBalance("a"))).Should().Be(0m); // the late reply was dropped (G7)
    }

    [Fact] // G6
    public async Task CallAsync_ServerCrashesHandlingTheCall_ThrowsCallServerExitedWithItsReason()
    {
        var bank = await StartBankAsync();

        var ex = (await FluentActions.Awaiting(() => GenServer.CallAsync(bank, new Explode("vault on fire")))
            .Should().ThrowAsync<CallServerExitedException>()).Which;

        ex.ServerReason.Should().Be(await Node.ExitOf(bank));
        ex.ServerReason.Exception!.Message.Should().Be("vault on fire");
        ex.Reason.Term.Should().BeOfType<TermTuple>().Which[0].Should().Be(ex.ServerReason);
    }

    [Fact]
    public async Task ICallFailure_CatchesEveryFailedCallWithItsReason()
    {
        var bank = await StartBankAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failures = new List<ExitReason>();

        async Task Try(Func<Task> call)
        {
            try
            {
                await call();
            }
            catch (Exception ex) when (ex is ICallFailure failure)
            {
                failures.Add(failure.CallReason);
            }
        }

        await Try(() => GenServer.CallAsync(bank, new Hold(gate), TimeSpan.FromMilliseconds(20)));
        gate.SetResult();
        await Try(() => GenServer.CallAsync(bank, new GetBalanceText("a")));
        await Try(() => GenServer.CallAsync(bank, new Explode("x")));
        await Try(() => GenServer.CallAsync(bank, new GetBalance("a")));

        failures.Select(r => TermFormatter.Format(r.Term).Split(',')[0]).Should()
            .Equal("timeout", "{bad_reply_type", "{'System.InvalidOperationException'", "noproc");
    }

    [Fact] // G6: an uncaught failed call ends the calling process with OTP's exit term
    public async Task CallAsync_UncaughtTimeoutInAProcess_EndsItWithTheTimeoutExitTerm()
    {
        var bank = await StartBankAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = Node.Spawn(async _ => await GenServer.CallAsync(bank, new Hold(gate), TimeSpan.FromMilliseconds(20)));

        var reason = await Node.ExitOf(caller);
        gate.SetResult();

        TermFormatter.Format(reason, v => v is Otp.Net.Processes.Pid ? "B" : null).Should().StartWith("{timeout,{gen_server,call,[B,");
    }
}
