using Microsoft.Extensions.Time.Testing;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// OTP 25's send_request / receive_response / wait_response / check_response, with request-id collections. Timeouts run
/// on a fake clock, so a test decides when they expire.
/// </summary>
public sealed class SendRequestTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Node _node;

    public SendRequestTests() => _node = new Node(new NodeOptions { TimeProvider = _clock });

    public void Dispose() => _node.Dispose();

    private sealed record Quote(string Symbol, decimal Price);

    private sealed record GetQuote(string Symbol);

    private sealed record Hold;

    private sealed record Crash(ExitReason Reason);

    /// <summary>A quote server: answers <see cref="GetQuote"/>, keeps <see cref="Hold"/> callers waiting (their From is published), crashes on <see cref="Crash"/>.</summary>
    private sealed class QuoteServer(TaskCompletionSource<From>? held = null) : GenServer<Dictionary<string, decimal>>
    {
        public override ValueTask<InitResult<Dictionary<string, decimal>>> InitAsync(object? args, CancellationToken cancellationToken) =>
            new(Ok(new Dictionary<string, decimal> { ["ACME"] = 12.5m, ["INITECH"] = 3m }));

        public override ValueTask<ServerResult<Dictionary<string, decimal>>> HandleCallAsync(object request, From from, Dictionary<string, decimal> state, CancellationToken cancellationToken)
        {
            switch (request)
            {
                case GetQuote q:
                    return new(Reply(new Quote(q.Symbol, state[q.Symbol]), state));
                case Hold:
                    held?.TrySetResult(from);
                    return new(NoReply(state));
                case Crash c:
                    throw new OtpExitException(c.Reason);
                default:
                    return base.HandleCallAsync(request, from, state, cancellationToken);
            }
        }
    }

    private async Task<Pid> StartAsync(TaskCompletionSource<From>? held = null) =>
        (await GenServer.StartAsync(_node, new QuoteServer(held))).GetPidOrThrow();

    [Fact]
    public async Task SendRequest_ServerReplies_ReceiveResponseReturnsTheReply()
    {
        var server = await StartAsync();
        var request = GenServer.SendRequest(server, new GetQuote("ACME"));

        var response = await GenServer.ReceiveResponseAsync(request).Within();

        response.Kind.Should().Be(ResponseKind.Reply);
        response.Reply.Should().Be(new Quote("ACME", 12.5m));
        response.GetReply<Quote>().Price.Should().Be(12.5m);
        response.Request.Should().BeSameAs(request);
        request.IsSettled.Should().BeTrue();
        await FluentActions.Awaiting(() => GenServer.ReceiveResponseAsync(request)).Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task SendRequest_ServerNotRunning_ResponseIsDownWithNoProc()
    {
        var server = await StartAsync();
        await GenServer.StopAsync(server).Within();

        var byPid = await GenServer.ReceiveResponseAsync(GenServer.SendRequest(server, new GetQuote("ACME"))).Within();
        var byName = await GenServer.ReceiveResponseAsync(GenServer.SendRequest(ServerRef.Named(_node, "nobody"), new GetQuote("ACME"))).Within();

        byPid.Kind.Should().Be(ResponseKind.Down);
        byPid.Reason.Should().Be(ExitReason.NoProc);
        byPid.ToString().Should().Be($"{{error,{{noproc,{server}}}}}");
        byName.Reason.Should().Be(ExitReason.NoProc);
        FluentActions.Invoking(() => byName.GetReply<Quote>()).Should().Throw<CallException>().Which.CallReason.Should().Be(ExitReason.NoProc);
    }

    [Fact]
    public async Task SendRequest_ServerCrashesOnTheRequest_ResponseIsDownWithItsReason()
    {
        var server = await StartAsync();

        var response = await GenServer.ReceiveResponseAsync(GenServer.SendRequest(server, new Crash(R("quote_feed_lost")))).Within();

        response.Kind.Should().Be(ResponseKind.Down);
        response.Reason.Should().Be(R("quote_feed_lost"));
    }

    [Fact]
    public async Task ReceiveResponse_Timeout_AbandonsTheRequest_LateReplyIsDropped()
    {
        var held = new TaskCompletionSource<From>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartAsync(held);
        var request = GenServer.SendRequest(server, new Hold());
        var from = await held.Task.Within();

        var waiting = GenServer.ReceiveResponseAsync(request, TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        (await waiting.Within()).Kind.Should().Be(ResponseKind.Timeout);

        GenServer.Reply(from, new Quote("ACME", 1m));
        request.HasResponse.Should().BeFalse();
        request.IsSettled.Should().BeTrue();
        FluentActions.Invoking(() => GenServer.CheckResponse(request)).Should().Throw<InvalidOperationException>();
        // The server was not disturbed.
        (await GenServer.CallAsync(server, new GetQuote("INITECH")).Within()).Should().Be(new Quote("INITECH", 3m));
    }

    [Fact]
    public async Task WaitResponse_Timeout_KeepsTheRequest_ReplyStillArrives()
    {
        var held = new TaskCompletionSource<From>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartAsync(held);
        var request = GenServer.SendRequest(server, new Hold());
        var from = await held.Task.Within();

        var waiting = GenServer.WaitResponseAsync(request, TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        (await waiting.Within()).Kind.Should().Be(ResponseKind.Timeout);
        GenServer.CheckResponse(request).Kind.Should().Be(ResponseKind.NoReply);

        GenServer.Reply(from, new Quote("ACME", 1m));
        (await GenServer.WaitResponseAsync(request).Within()).Reply.Should().Be(new Quote("ACME", 1m));
    }

    [Fact]
    public async Task CheckResponse_AfterTheServerReplied_TakesTheReplyWithoutWaiting()
    {
        var server = await StartAsync();
        var request = GenServer.SendRequest(server, new GetQuote("ACME"));
        // A call made after the request is handled after it: the request's reply is in by the time the call returns.
        await GenServer.CallAsync(server, new GetQuote("INITECH")).Within();

        var response = GenServer.CheckResponse(request);

        response.Kind.Should().Be(ResponseKind.Reply);
        response.Reply.Should().Be(new Quote("ACME", 12.5m));
    }

    [Fact]
    public async Task Collection_MixOfReplyingDeadAndSlowServers_EachResponseCarriesItsLabel()
    {
        var held = new TaskCompletionSource<From>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replying = await StartAsync();
        var slow = await StartAsync(held);
        var dead = await StartAsync();
        await GenServer.StopAsync(dead).Within();

        var requests = new RequestIdCollection();
        GenServer.SendRequest(replying, new GetQuote("ACME"), "replying", requests);
        GenServer.SendRequest(dead, new GetQuote("ACME"), "dead", requests);
        var slowRequest = GenServer.SendRequest(slow, new Hold(), "slow", requests);
        var crashing = await StartAsync();
        GenServer.SendRequest(crashing, new Crash(R("feed_down")), "crashing", requests);
        requests.Count.Should().Be(4);
        requests.Select(p => p.Value).Should().Equal("replying", "dead", "slow", "crashing");
        var from = await held.Task.Within();

        var got = new Dictionary<object, ServerResponse>();
        for (var i = 0; i < 3; i++)
        {
            var r = await GenServer.ReceiveResponseAsync(requests, Timeout.InfiniteTimeSpan).Within();
            got[r.Label!] = r;
        }

        got["replying"].Reply.Should().Be(new Quote("ACME", 12.5m));
        got["dead"].Reason.Should().Be(ExitReason.NoProc);
        got["crashing"].Reason.Should().Be(R("feed_down"));
        got["crashing"].ToString().Should().Be($"{{{{error,{{feed_down,{crashing}}}}},\"crashing\"}}");
        requests.Count.Should().Be(1);
        GenServer.CheckResponse(requests).Kind.Should().Be(ResponseKind.NoReply);

        // The slow one times out, and receive_response abandons it: its late reply is dropped.
        var waiting = GenServer.ReceiveResponseAsync(requests, TimeSpan.FromMilliseconds(500));
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        (await waiting.Within()).Kind.Should().Be(ResponseKind.Timeout);
        GenServer.Reply(from, new Quote("ACME", 99m));
        slowRequest.HasResponse.Should().BeFalse();
        GenServer.CheckResponse(requests).Kind.Should().Be(ResponseKind.NoReply);

        requests.Remove(slowRequest).Should().BeTrue();
        (await GenServer.ReceiveResponseAsync(requests).Within()).Kind.Should().Be(ResponseKind.NoRequest);
        GenServer.CheckResponse(requests).Kind.Should().Be(ResponseKind.NoRequest);
    }

    [Fact]
    public async Task Collection_WaitResponseWithoutDelete_KeepsTheRequestButItsResponseIsTakenOnce()
    {
        var server = await StartAsync();
        var requests = new RequestIdCollection();
        var acme = GenServer.SendRequest(server, new GetQuote("ACME"), new Quote("label", 0m), requests);

        var first = await GenServer.WaitResponseAsync(requests, delete: false).Within();

        first.Label.Should().Be(new Quote("label", 0m));
        requests.Contains(acme).Should().BeTrue();
        GenServer.CheckResponse(requests, delete: false).Kind.Should().Be(ResponseKind.NoReply);
        // Nothing more can arrive: a wait runs out its timeout, as in OTP.
        var waiting = GenServer.WaitResponseAsync(requests, TimeSpan.FromSeconds(1), delete: false);
        _clock.Advance(TimeSpan.FromSeconds(1));
        (await waiting.Within()).Kind.Should().Be(ResponseKind.Timeout);
    }

    [Fact]
    public async Task Collection_AddingTheSameRequestTwice_Throws_AndLeavesTheCollectionAsItWas()
    {
        var server = await StartAsync();
        var requests = new RequestIdCollection();
        var request = GenServer.SendRequest(server, new GetQuote("ACME"), 1, requests);

        FluentActions.Invoking(() => requests.Add(request, 2)).Should().Throw<ArgumentException>();

        requests.Count.Should().Be(1);
        requests.LabelOf(request).Should().Be(1);
        FluentActions.Invoking(() => GenServer.SendRequest(server, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => GenServer.SendRequest(ServerRef.Named(_node, "x"), "q", 1, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task SendRequest_FromInsideAProcess_RepliesDoNotDisturbItsMailbox()
    {
        var server = await StartAsync();

        var (response, messages) = await _node.RunAsync(async ctx =>
        {
            ctx.Send(ctx.Self, "first");
            var requests = new RequestIdCollection();
            GenServer.SendRequest(server, new GetQuote("ACME"), "a", requests);
            GenServer.SendRequest(server, new GetQuote("INITECH"), "i", requests);
            ctx.Send(ctx.Self, "second");
            var r1 = await GenServer.ReceiveResponseAsync(requests);
            var r2 = await GenServer.ReceiveResponseAsync(requests);
            // The process's own messages are still there, in order, and nothing else is.
            var got = new List<object?> { await ctx.ReceiveAsync(), await ctx.ReceiveAsync(), await ctx.ReceiveAsync(null, TimeSpan.Zero) };
            return (new[] { r1, r2 }.OrderBy(r => (string)r.Label!).Select(r => r.Reply).ToArray(), got);
        });

        response.Should().Equal(new Quote("ACME", 12.5m), new Quote("INITECH", 3m));
        messages.Should().Equal("first", "second", null);
    }

    [Fact]
    public async Task SendRequest_CallerProcessEnds_RequestIsAbandoned_ServerKeepsNoWatch()
    {
        var held = new TaskCompletionSource<From>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartAsync(held);
        var made = new TaskCompletionSource<RequestId>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = _node.Spawn(async ctx =>
        {
            made.SetResult(GenServer.SendRequest(server, new Hold()));
            await ctx.ReceiveAsync();
        });
        var request = await made.Task.Within();
        var from = await held.Task.Within();

        _node.Exit(caller, ExitReason.Kill);
        await _node.ExitOf(caller);

        request.IsSettled.Should().BeTrue();
        GenServer.Reply(from, new Quote("ACME", 1m));
        request.HasResponse.Should().BeFalse();
    }

    [Fact]
    public async Task ReceiveResponse_Cancelled_EndsOnlyTheWait()
    {
        var held = new TaskCompletionSource<From>(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartAsync(held);
        var request = GenServer.SendRequest(server, new Hold());
        var from = await held.Task.Within();
        using var cts = new CancellationTokenSource();

        var waiting = GenServer.ReceiveResponseAsync(request, cancellationToken: cts.Token);
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<OperationCanceledException>();

        GenServer.Reply(from, "late but wanted");
        (await GenServer.ReceiveResponseAsync(request).Within()).Reply.Should().Be("late but wanted");
    }

    [Fact]
    public async Task SendRequest_ViaNameNobodyHolds_ResponseIsDownWithNoProc()
    {
        var via = new ViaName(new NoRegistry(), "quotes");

        var response = await GenServer.ReceiveResponseAsync(GenServer.SendRequest(via, new GetQuote("ACME"))).Within();

        response.Reason.Should().Be(ExitReason.NoProc);
        response.ToString().Should().Be("{error,{noproc,{via,'Otp.Net.Tests.GenServers.SendRequestTests+NoRegistry',\"quotes\"}}}");
    }

    private sealed class NoRegistry : IViaRegistry
    {
        public bool RegisterName(object name, Pid pid) => false;

        public void UnregisterName(object name)
        {
        }

        public Pid? WhereIsName(object name) => null;
    }
}
