using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>
/// An ASP.NET Core host in memory (TestServer) with a node running the "shop" application: a top supervisor "shop" of
/// a "workers" supervisor (one_for_one, intensity 3 in 10 s) with "vault" (a module that does not expose its state)
/// and "teller" (one that does, through FormatStatus), and the dashboard at /otp. Users are named by the X-Test-User
/// header and get the roles of X-Test-Roles; policies: "view" (any signed-in user), "operate" (role operator),
/// "upgrade" (role upgrader).
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    public const string Secret = "s3cr3t-pin-4711";

    private ApiHost(WebApplication app) => App = app;

    public WebApplication App { get; }

    public Node Node => App.Services.GetRequiredService<Node>();

    public HttpClient Client { get; private set; } = null!;

    public static async Task<ApiHost> StartAsync(Action<OtpDashboardOptions>? configure = null, Action<RouteGroupBuilderHolder>? map = null, Action<ILoggingBuilder>? logging = null,
        Action<IServiceCollection>? configureServices = null, bool authentication = true)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.Services.AddOtp(otp => otp.AddApplication("shop", app => app.Supervisor(s => s
            .Supervisor("workers", w => w
                .Strategy(Strategy.OneForOne)
                .Intensity(3, periodSeconds: 10)
                .GenServer<Vault>("vault", name: "vault")
                .GenServer<Teller>("teller", name: "teller"), name: "workers"))));
        if (authentication) builder.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("view", p => p.RequireAuthenticatedUser());
            o.AddPolicy("operate", p => p.RequireRole("operator"));
            o.AddPolicy("upgrade", p => p.RequireRole("upgrader"));
        });
        configureServices?.Invoke(builder.Services);
        builder.Services.AddOtpDashboard(configure);
        var app = builder.Build();
        if (authentication) app.UseAuthentication();
        app.UseAuthorization();
        var group = app.MapOtpDashboard("/otp");
        map?.Invoke(new RouteGroupBuilderHolder(group));
        await app.StartAsync();
        var host = new ApiHost(app);
        host.Client = host.NewClient();
        return host;
    }

    /// <summary>A client with a cookie jar of its own (antiforgery needs its cookie), signed in as <paramref name="user"/> with <paramref name="roles"/>.</summary>
    public HttpClient NewClient(string? user = null, params string[] roles)
    {
        var server = App.GetTestServer();
        var client = new HttpClient(new CookieJarHandler(server.CreateHandler())) { BaseAddress = new Uri("http://localhost") };
        if (user is not null) client.DefaultRequestHeaders.Add("X-Test-User", user);
        if (roles.Length > 0) client.DefaultRequestHeaders.Add("X-Test-Roles", string.Join(',', roles));
        return client;
    }

    /// <summary>The antiforgery header for <paramref name="client"/> (its cookie is stored in the client's jar).</summary>
    public static async Task<(string Name, string Token)> AntiforgeryAsync(HttpClient client)
    {
        var json = await client.GetFromJsonAsync<JsonElement>("/otp/api/antiforgery");
        return (json.GetProperty("headerName").GetString()!, json.GetProperty("token").GetString()!);
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object? body = null, bool token = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (token)
        {
            var (name, value) = await AntiforgeryAsync(client);
            request.Headers.Add(name, value);
        }
        return await client.SendAsync(request);
    }

    public Pid Named(string name) => Node.WhereIs(name) ?? throw new InvalidOperationException($"{name} is not registered");

    /// <summary>The pid in the dashboard's URL form (<c>0.12.0</c>).</summary>
    public static string Url(Pid pid) => pid.ToString().Trim('<', '>');

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    internal sealed class RouteGroupBuilderHolder(Microsoft.AspNetCore.Routing.RouteGroupBuilder group)
    {
        public Microsoft.AspNetCore.Routing.RouteGroupBuilder Group { get; } = group;
    }
}

/// <summary>Holds a secret and does not opt in: the dashboard must never show its state.</summary>
internal sealed class Vault : GenServer<string>
{
    public override ValueTask<InitResult<string>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(ApiHost.Secret);
}

/// <summary>Opts in, and shows a redacted state through FormatStatus.</summary>
[ExposeStatus]
internal sealed class Teller : GenServer<Teller.Till>
{
    internal sealed record Till(int Balance, string Pin);

    public override ValueTask<InitResult<Till>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new Till(42, ApiHost.Secret));

    public override object? FormatStatus(Till state) => new { state.Balance, Pin = "***" };

    public override ValueTask<ServerResult<Till>> HandleCallAsync(object request, From from, Till state, CancellationToken cancellationToken) =>
        Reply(state.Balance, state);
}
