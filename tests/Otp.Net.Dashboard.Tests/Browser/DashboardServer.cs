using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otp.Net.Applications;
using Otp.Net.Hosting;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Dashboard.Tests.Browser;

/// <summary>
/// A real Kestrel server on a free loopback port, hosting a node with the example's tree (an application "tickers":
/// a top supervisor, a one_for_one sub-supervisor "ticker_sup" of three tickers, at most 5 restarts in 10 s, and a
/// metronome worker) and the dashboard at <c>/otp</c>. The ticker module is loaded from modules/ticker-1.dll;
/// modules/ is the dashboard's module directory, so modules/ticker-2.dll is offered as an upgrade.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const string Prefix = "/otp";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
        Node = app.Services.GetRequiredService<Node>();
    }

    /// <summary>The server's address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Root { get; }

    /// <summary>The dashboard page: http://127.0.0.1:port/otp/.</summary>
    public Uri Page => new(Root, Prefix + "/");

    public Node Node { get; }

    public static string ModulesDirectory => Path.Combine(AppContext.BaseDirectory, "modules");

    public static async Task<DashboardServer> StartAsync(bool enableActions, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddOtp(otp => otp
            .LoadModule("ticker", Path.Combine(ModulesDirectory, "ticker-1.dll"))
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
        // As in the example: actions for loopback connections (the dashboard checks a policy with the request as its resource).
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("operate", policy => policy.RequireAssertion(context => FromLoopback(context.Resource as HttpContext)))
            .AddPolicy("upgrade", policy => policy.RequireAssertion(context => FromLoopback(context.Resource as HttpContext)));
        builder.Services.AddOtpDashboard(dashboard =>
        {
            dashboard.EnableActions = enableActions;
            dashboard.OperatePolicy = "operate";
            dashboard.UpgradePolicy = "upgrade";
            dashboard.ModuleDirectory = ModulesDirectory;
        });
        var app = builder.Build();
        app.MapOtpDashboard(Prefix);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new DashboardServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>The pid registered as <paramref name="name"/>.</summary>
    public Pid Registered(string name) => Node.WhereIs(name) ?? throw new InvalidOperationException($"nothing is registered as {name}");

    /// <summary>A pid as the dashboard writes it in URLs: <c>&lt;0.12.0&gt;</c> becomes <c>0.12.0</c>.</summary>
    public static string InUrl(Pid pid) => pid.ToString().Trim('<', '>');

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool FromLoopback(HttpContext? request) =>
        request?.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
}
