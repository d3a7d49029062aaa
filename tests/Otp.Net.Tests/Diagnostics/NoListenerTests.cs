using System.Diagnostics;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Diagnostics;

/// <summary>With no listener on Otp.Net's source, nothing of a trace is captured, even inside someone else's activity.</summary>
[Collection(TracingCollection.Name)]
public sealed class NoListenerTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task CallCastSend_NoListener_InsideForeignActivity_NothingCarried()
    {
        OtpTelemetry.Tracing.Should().BeFalse();
        var seen = new SeenActivities();
        var echo = (await GenServer.StartAsync(_node, new Echo(), seen)).GetPidOrThrow();
        var message = new object();
        var received = new TaskCompletionSource<(object, ActivityContext)>();
        var raw = _node.Spawn(async ctx => received.SetResult((await ctx.ReceiveAsync(), ctx.ReceivedTraceContext)));
        using (var foreign = new Activity("host request").Start())
        {
            OtpTelemetry.WithTrace(message).Should().BeSameAs(message); // no wrapper allocated
            await GenServer.CallAsync(echo, "call");
            GenServer.Cast(echo, "cast");
            _node.Send(echo, "info");
            _node.Send(raw, message);
        }
        await GenServer.CallAsync(echo, "sync"); // served after the cast and the message
        seen.Entries.Select(e => e.Message).Should().Equal("call", "cast", "info", "sync");
        seen.Entries.Should().OnlyContain(e => e.Current == null);
        var (got, context) = await received.Task.Within();
        got.Should().BeSameAs(message);
        context.Should().Be(default(ActivityContext));
    }
}
