// An HTTP request through two GenServers, traced and measured with OpenTelemetry: POST /orders/{item} calls the
// "orders" server, which calls the "stock" server. The console exporter prints one trace per request (the ASP.NET Core
// span, then "call orders" / "handle_call orders" / "call stock" / "handle_call stock", all with the same TraceId) and,
// every 5 s and at exit, the OtpDotNet meter (otp.call.duration by otp.module and otp.application, ...).
// Watch the meter live with:  dotnet-counters monitor --name Tracing --counters OtpDotNet
// (started with `dotnet run` or ./Tracing; started as `dotnet Tracing.dll`, pass its --process-id instead).
// Pass --requests N to send N orders to itself and stop.
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Otp.Net;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Tracing;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddOtp(otp => otp.AddApplication("shop", app => app.Supervisor(sup => sup
    .GenServer<Stock>("stock", args: 3, name: "stock")
    .GenServer<Orders>("orders", name: "orders"))));
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing
        .AddSource("Microsoft.AspNetCore", OtpDiagnostics.ActivitySourceName)
        .AddConsoleExporter())
    .WithMetrics(metrics => metrics
        .AddMeter(OtpDiagnostics.MeterName)
        .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 5000));

var app = builder.Build();
app.MapPost("/orders/{item}", async (string item, Node node) =>
    await GenServer.CallAsync<string>(ServerRef.Named(node, "orders"), new PlaceOrder(item)));

var requests = args.SkipWhile(a => a != "--requests").Skip(1).FirstOrDefault();
if (requests is null)
{
    await app.RunAsync();
    return;
}
app.Urls.Add("http://127.0.0.1:0");
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using (var client = new HttpClient { BaseAddress = new Uri(address) })
{
    for (var i = 0; i < int.Parse(requests, System.Globalization.CultureInfo.InvariantCulture); i++)
    {
        var response = await client.PostAsync(new Uri("/orders/teapot", UriKind.Relative), null);
        Console.WriteLine(await response.Content.ReadAsStringAsync());
    }
}
await app.StopAsync();
await app.DisposeAsync(); // flushes the metrics a last time
