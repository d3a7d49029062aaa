using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddOtp(otp => otp
    .AddApplication("db", app => app.Supervisor(s => s.GenServer<Idle>("pool")))
    .AddApplication("web", app => app.DependsOn("db").Supervisor(s => s.GenServer<Idle>("listener"))));
builder.Services.AddHealthChecks().AddOtp(); // ASP.NET Core: app.MapHealthChecks("/health")
using var host = builder.Build();
var health = host.Services.GetRequiredService<HealthCheckService>();

await host.StartAsync();
var report = await health.CheckHealthAsync();
Console.WriteLine($"{report.Status}: {report.Entries["otp"].Description}");

await host.Services.GetRequiredService<Node>().Applications.StopAsync("web");
report = await health.CheckHealthAsync();
Console.WriteLine($"{report.Status}: {report.Entries["otp"].Description}");
await host.StopAsync();

sealed class Idle : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);
}
