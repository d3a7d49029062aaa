// The seed's counter supervisor (003 Part 2) as a generic-host worker: the application and its tree (a CounterSup
// of two counters) are declared in appsettings.json; on Ctrl+C or SIGTERM the host stops the application, whose
// PrepStop lets each counter reach a multiple of 10 before the tree shuts down. Pass --stop-after-ms N to stop by
// itself, --json for compact JSON log events (CLEF) instead of readable lines.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Otp.Net;
using Otp.Net.Hosting;
using Otp.Net.Supervision;
using Serilog;

var logging = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning);
Log.Logger = (args.Contains("--json")
    ? logging.WriteTo.Console(new Serilog.Formatting.Compact.CompactJsonFormatter())
    : logging.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}"))
    .CreateLogger();

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSerilog();
builder.Services.AddOtp(otp => otp.AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
using var host = builder.Build();
await host.StartAsync();

var node = host.Services.GetRequiredService<Node>();
var top = node.WhereIs("counters")!.Value;
Console.WriteLine((await SupervisionTree.SnapshotAsync(top, "counters")).ToText());

var stopAfter = args.SkipWhile(a => a != "--stop-after-ms").Skip(1).FirstOrDefault();
if (stopAfter is not null)
{
    await Task.Delay(int.Parse(stopAfter, System.Globalization.CultureInfo.InvariantCulture));
    await host.StopAsync();
}
else
{
    Console.WriteLine("Running; press Ctrl+C to stop gracefully.");
    await host.WaitForShutdownAsync();
}
await Log.CloseAndFlushAsync();
