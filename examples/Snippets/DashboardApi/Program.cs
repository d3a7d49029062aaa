using System.Net.Http.Json;
using System.Text.Json;
using Otp.Net.Dashboard;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Supervision;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Services.AddOtp(otp => otp.AddApplication("shop", app => app.Supervisor(s => s
    .Supervisor("workers", w => w.Strategy(Strategy.OneForOne).Intensity(5, 10)
        .GenServer<Till>("till", name: "till")))));
builder.Services.AddOtpDashboard(); // read-only, localhost only
var app = builder.Build();
app.MapOtpDashboard("/otp");        // add .RequireAuthorization("ops") in a real service
await app.StartAsync();

// The page is at {url}/otp/; the same API serves scripts.
using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
var trees = await http.GetFromJsonAsync<JsonElement>("/otp/api/trees");
foreach (var tree in trees.EnumerateArray())
{
    foreach (var sup in tree.GetProperty("root").GetProperty("children").EnumerateArray())
    {
        Console.WriteLine($"{tree.GetProperty("application")}: {sup.GetProperty("id")} {sup.GetProperty("strategy")}, " +
            $"{sup.GetProperty("budgetLeft")} of {sup.GetProperty("intensity")} restarts left");
    }
}
await app.StopAsync();

sealed class Till : GenServer<int>
{
    public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);
}
