using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;

namespace Otp.Net.Tests.Diagnostics;

[Collection(TracingCollection.Name)]
public sealed class WebTraceTests
{
    [Fact]
    public async Task HttpRequest_ThroughTwoGenServers_OneTraceWithParentChain_InMemoryExporter()
    {
        var exported = new List<Activity>();
        var ended = new EndedSpans();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(sp => new Node(new NodeOptions { MeterFactory = sp.GetRequiredService<IMeterFactory>() }));
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource("Microsoft.AspNetCore", OtpDiagnostics.ActivitySourceName)
            .AddInMemoryExporter(exported)
            .AddProcessor(ended));
        await using var app = builder.Build();
        var node = app.Services.GetRequiredService<Node>();
        var back = (await GenServer.StartAsync(node, new Echo())).GetPidOrThrow();
        var front = (await GenServer.StartAsync(node, new Relay(), new RelayState(back, new SeenActivities()))).GetPidOrThrow();
        app.MapGet("/hop", async () => (string)(await GenServer.CallAsync(front, "hop"))!);
        await app.StartAsync();
        using var client = app.GetTestClient();

        (await client.GetStringAsync("/hop")).Should().Be("relayed hop");

        var http = await ended.WaitForAsync(a => a.Source.Name == "Microsoft.AspNetCore" && a.Kind == ActivityKind.Server);
        var names = new[] { "call relay", "handle_call relay", "call echo", "handle_call echo" };
        foreach (var name in names) await ended.WaitForAsync(a => a.DisplayName == name && a.TraceId == http.TraceId);
        Activity[] spans;
        lock (exported) spans = exported.Where(a => a.TraceId == http.TraceId).ToArray();
        spans.Should().HaveCount(5);
        Activity Span(string name) => spans.Single(a => a.DisplayName == name);
        Span("call relay").ParentSpanId.Should().Be(http.SpanId);
        Span("handle_call relay").ParentSpanId.Should().Be(Span("call relay").SpanId);
        Span("call echo").ParentSpanId.Should().Be(Span("handle_call relay").SpanId);
        Span("handle_call echo").ParentSpanId.Should().Be(Span("call echo").SpanId);
        http.ParentSpanId.Should().Be(default(ActivitySpanId)); // the request is the trace's root
        await app.StopAsync();
    }
}
