using System.Diagnostics;
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
using Otp.Net.Hosting;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard.Tests.Probes;

/// <summary>
/// A TestServer host with a node configured by the probe, the dashboard mapped at /otp (and optionally more prefixes
/// or a path base), users named by X-Test-User with the roles of X-Test-Roles ("operate" needs role operator,
/// "upgrade" role upgrader), and every log entry kept.
/// </summary>
internal sealed class ProbeHost : IAsyncDisposable
{
    public static readonly TimeSpan Safety = TimeSpan.FromSeconds(20);

    private ProbeHost(WebApplication app, ProbeLog log, string pathBase)
    {
        App = app;
        Log = log;
        PathBase = pathBase;
    }

    public WebApplication App { get; }

    public ProbeLog Log { get; }

    public string PathBase { get; }

    public Node Node => App.Services.GetRequiredService<Node>();

    public HttpClient Client { get; private set; } = null!;

    public static async Task<ProbeHost> StartAsync(
        Action<OtpBuilder>? otp = null,
        Action<OtpDashboardOptions>? dashboard = null,
        string[]? prefixes = null,
        string pathBase = "")
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var log = new ProbeLog();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddOtp(o => otp?.Invoke(o));
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("operate", p => p.RequireRole("operator"));
            o.AddPolicy("upgrade", p => p.RequireRole("upgrader"));
        });
        builder.Services.AddOtpDashboard(dashboard);
        var app = builder.Build();
        if (pathBase.Length > 0) app.UsePathBase(pathBase);
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        foreach (var prefix in prefixes ?? ["/otp"]) app.MapOtpDashboard(prefix);
        await app.StartAsync();
        var host = new ProbeHost(app, log, pathBase);
        host.Client = host.NewClient();
        return host;
    }

    public HttpClient NewClient(string? user = null, params string[] roles)
    {
        var server = App.GetTestServer();
        var client = new HttpClient(new CookieJarHandler(server.CreateHandler())) { BaseAddress = new Uri("http://localhost"), Timeout = Safety };
        if (user is not null) client.DefaultRequestHeaders.Add("X-Test-User", user);
        if (roles.Length > 0) client.DefaultRequestHeaders.Add("X-Test-Roles", string.Join(',', roles));
        return client;
    }

    public static string Url(Pid pid) => pid.ToString().Trim('<', '>');

    public async Task<JsonElement> JsonAsync(string path)
    {
        using var response = await Client.GetAsync(PathBase + path);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, $"{path} answered {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A POST with the antiforgery header of <paramref name="client"/>, and the raw body given.</summary>
    public async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, string? body, string? contentType = "application/json")
    {
        var tokens = await client.GetFromJsonAsync<JsonElement>(PathBase + "/otp/api/antiforgery");
        using var request = new HttpRequestMessage(HttpMethod.Post, PathBase + path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        request.Headers.Add(tokens.GetProperty("headerName").GetString()!, tokens.GetProperty("token").GetString()!);
        return await client.SendAsync(request);
    }

    /// <summary>Waits until <paramref name="condition"/> holds (polling a state the API gives no event for), failing after the safety timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > Safety) throw new TimeoutException($"not reached: {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Every log entry of a probe host.</summary>
internal sealed class ProbeLog : ILoggerProvider
{
    public System.Collections.Concurrent.ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IEnumerable<string> Failures(params string[] categoryPrefixes) =>
        Entries.Where(e => e.Exception is not null && (categoryPrefixes.Length == 0 || categoryPrefixes.Any(p => e.Category.StartsWith(p, StringComparison.Ordinal))))
            .Select(e => $"{e.Category} {e.Level}: {e.Message} {e.Exception}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ProbeLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
