using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Otp.Net;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;

// Record Otp.Net's spans (OpenTelemetry would do this with .AddSource(OtpDiagnostics.ActivitySourceName)).
var app = new ActivitySource("Shop");
var spans = new ConcurrentQueue<Activity>();
var allStopped = new CountdownEvent(5); // the request and the four spans of the two calls
using var tracing = new ActivityListener
{
    ShouldListenTo = source => source.Name is OtpDiagnostics.ActivitySourceName or "Shop",
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    ActivityStopped = activity => { spans.Enqueue(activity); allStopped.Signal(); },
};
ActivitySource.AddActivityListener(tracing);

// Record the call durations (OpenTelemetry: .AddMeter(OtpDiagnostics.MeterName); or dotnet-counters).
var calls = new ConcurrentDictionary<string, int>();
using var metrics = new MeterListener
{
    InstrumentPublished = (instrument, listener) =>
    {
        if (instrument.Meter.Name == OtpDiagnostics.MeterName && instrument.Name == OtpDiagnostics.CallDuration) listener.EnableMeasurementEvents(instrument);
    },
};
metrics.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
{
    foreach (var tag in tags)
    {
        if (tag.Key == OtpDiagnostics.ModuleTag) calls.AddOrUpdate((string)tag.Value!, 1, (_, n) => n + 1);
    }
});
metrics.Start();

await using var node = new Node();
var stock = (await GenServer.StartAsync(node, new Stock(), 3)).GetPidOrThrow();
var orders = (await GenServer.StartAsync(node, new Orders(), stock)).GetPidOrThrow();

using (app.StartActivity("POST /orders"))
{
    Console.WriteLine(await GenServer.CallAsync(orders, "teapot"));
}
allStopped.Wait(TimeSpan.FromSeconds(10));

var traceIds = spans.Select(s => s.TraceId).Distinct().Count();
Console.WriteLine($"{spans.Count} spans in {traceIds} trace:");
void Print(Activity parent, string indent)
{
    Console.WriteLine($"{indent}{parent.DisplayName} ({parent.Kind})");
    foreach (var child in spans.Where(s => s.ParentSpanId == parent.SpanId).OrderBy(s => s.StartTimeUtc)) Print(child, indent + "  ");
}
Print(spans.Single(s => s.ParentSpanId == default), "");
foreach (var (module, count) in calls.OrderBy(c => c.Key)) Console.WriteLine($"{OtpDiagnostics.CallDuration} {OtpDiagnostics.ModuleTag}={module}: {count} call(s)");

/// <summary>Calls the stock server for each order: a call made inside a call joins the same trace.</summary>
public sealed class Orders : GenServer<Pid>
{
    public override string ModuleName => "orders";

    public override ValueTask<InitResult<Pid>> InitAsync(object? args, CancellationToken cancellationToken) => Ok((Pid)args!);

    public override async ValueTask<ServerResult<Pid>> HandleCallAsync(object request, From from, Pid stock, CancellationToken cancellationToken)
    {
        var left = await GenServer.CallAsync<int>(stock, request, cancellationToken: cancellationToken);
        return Reply($"{request} reserved, {left} left", stock);
    }
}

/// <summary>Counts what is left.</summary>
public sealed class Stock : GenServer<int>
{
    public override string ModuleName => "stock";

    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok((int)args!);

    public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int left, CancellationToken cancellationToken) => Reply(left - 1, left - 1);
}
