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
        builder.Services.AddAuthentication(ProbeAuth.SchemeName).AddScheme<AuthenticationSchemeOptions, ProbeAuth>(ProbeAuth.SchemeName, null);
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
        var client = new HttpClient(new JarHandler(server.CreateHandler())) { BaseAddress = new Uri("http://localhost"), Timeout = Safety };
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

    private sealed class JarHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly System.Net.CookieContainer _cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!.IsAbsoluteUri ? request.RequestUri : new Uri(new Uri("http://localhost"), request.RequestUri);
            var header = _cookies.GetCookieHeader(uri);
            if (header.Length > 0) request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var v in values) _cookies.SetCookies(uri, v);
            }
            return response;
        }
    }

    private sealed class ProbeAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Probe";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("X-Test-User", out var user)) return Task.FromResult(AuthenticateResult.NoResult());
            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            if (Request.Headers.TryGetValue("X-Test-Roles", out var roles))
            {
                claims.AddRange(roles.ToString().Split(',').Select(r => new Claim(ClaimTypes.Role, r)));
            }
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
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

/// <summary>Reads a server-sent-events response one event at a time.</summary>
internal sealed class ProbeEvents : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private ProbeEvents(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public static async Task<ProbeEvents> OpenAsync(HttpClient client, string path = "/otp/api/events")
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new ProbeEvents(response, await response.Content.ReadAsStreamAsync());
        (await reader.NextAsync(ProbeHost.Safety)).Kind.Should().Be("hello");
        return reader;
    }

    public async Task<(string Kind, JsonElement Data)> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? kind = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null) return (kind, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
        }
    }

    public async Task<JsonElement> WaitForAsync(string kind, Func<JsonElement, bool> match)
    {
        var deadline = DateTime.UtcNow + ProbeHost.Safety;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no {kind} event");
            var (k, data) = await NextAsync(left);
            if (k == kind && match(data)) return data;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
