// The dashboard over a running tree: an application "tickers" whose top supervisor holds a sub-supervisor of three
// tickers (one_for_one, at most 5 restarts in 10 s) and a metronome worker that pokes them. The ticker module is
// loaded from modules/ticker-1.dll; modules/ is the dashboard's module directory, so ticker-2.dll is offered as a live
// upgrade in the Code view.
//
//   dotnet run --project examples/Dashboard                   http://127.0.0.1:5080/otp/, actions for loopback clients
//   dotnet run --project examples/Dashboard -- --read-only    no actions at all (the action routes are not mapped)
//   dotnet run --project examples/Dashboard -- --urls http://127.0.0.1:6000
//
// Actions (suspend, kill, restart a child, upgrade a module...) need the "operate" and "upgrade" policies, which admit
// only connections from the loopback address (others get 403). The dashboard's own host check (localhost, 127.0.0.1,
// [::1]) stays on.
using Dashboard;
using Microsoft.AspNetCore.Authorization;
using Otp.Net.Applications;
using Otp.Net.Dashboard;
using Otp.Net.Hosting;
using Otp.Net.Supervision;

var readOnly = args.Contains("--read-only");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(a => a != "--read-only").ToArray(),
    ContentRootPath = AppContext.BaseDirectory,
});
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5080");
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // the node's events, not every request

var modules = Path.Combine(AppContext.BaseDirectory, "modules");
builder.Services.AddOtp(otp => otp
    .LoadModule("ticker", Path.Combine(modules, "ticker-1.dll"))
    .AddApplication("tickers", app => app
        .Describe("1.0.0", "Three tickers under a supervisor and a metronome that pokes them")
        .AsType(ApplicationType.Permanent)
        .Supervisor(top => top
            .Strategy(Strategy.OneForOne).Intensity(3, 5)
            .Supervisor("ticker_sup", tickers => tickers
                .Strategy(Strategy.OneForOne).Intensity(5, 10)
                .Module("ticker_1", "ticker", args: 1000, name: "ticker_1")
                .Module("ticker_2", "ticker", args: 500, name: "ticker_2")
                .Module("ticker_3", "ticker", args: 250, name: "ticker_3"))
            .GenServer<Metronome>("metronome", name: "metronome"))));

// The dashboard checks a capability's policy with the request as its resource.
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("operate", policy => policy.RequireAssertion(context => Loopback.IsLoopback(context.Resource as HttpContext)))
    .AddPolicy("upgrade", policy => policy.RequireAssertion(context => Loopback.IsLoopback(context.Resource as HttpContext)));
builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, RefuseWithoutSignIn>();
builder.Services.AddOtpDashboard(dashboard =>
{
    dashboard.EnableActions = !readOnly;
    dashboard.OperatePolicy = "operate";
    dashboard.UpgradePolicy = "upgrade";
    dashboard.ModuleDirectory = modules;
});

var app = builder.Build();
app.MapOtpDashboard("/otp");
app.MapGet("/", () => Results.Redirect("/otp/"));

await app.StartAsync();
foreach (var url in app.Urls)
{
    Console.WriteLine($"Otp.Net dashboard: {url.TrimEnd('/')}/otp/ ({(readOnly ? "read-only" : "actions enabled for loopback connections")})");
}
Console.WriteLine("Press Ctrl+C to stop.");
await app.WaitForShutdownAsync();


/// <summary>The example's entry point, public so that tests can host it in memory (<c>WebApplicationFactory&lt;Program&gt;</c>).</summary>
public partial class Program;
