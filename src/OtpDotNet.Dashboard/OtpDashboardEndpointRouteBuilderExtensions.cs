using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard;

/// <summary>Maps the dashboard's page, API and event stream.</summary>
public static class OtpDashboardEndpointRouteBuilderExtensions
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Pids read <0.12.0> for scripts and curl too: the responses are JSON (nosniff) and the page inserts text only.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: the page at <c>{prefix}/</c>, the JSON API under
    /// <c>{prefix}/api</c>, the event stream at <c>{prefix}/api/events</c>, and, when
    /// <see cref="OtpDashboardOptions.EnableActions"/> is set, the POST actions of each capability whose policy is set.
    /// The result composes with the host's authorization: <c>.RequireAuthorization("admins")</c> applies to all of it.
    /// Requests whose host is not in <see cref="OtpDashboardOptions.AllowedHosts"/> get 400.
    /// </summary>
    public static RouteGroupBuilder MapOtpDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/otp")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!prefix.StartsWith('/')) throw new ArgumentException($"the dashboard's prefix must start with '/' (was '{prefix}')", nameof(prefix));
        prefix = prefix.TrimEnd('/');
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<OtpDashboardOptions>>().Value;
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(new HostFilter(options.AllowedHosts, endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category)));
        if (options.ViewPolicy is { } view) group.AddEndpointFilter(new PolicyFilter(view, audit: false));

        group.MapGet("/", (HttpContext context) => Page(context, prefix)).ExcludeFromDescription();
        group.MapGet("/assets/{file}", (HttpContext context, string file) => Asset(context, file)).ExcludeFromDescription();

        var api = group.MapGroup("/api");
        api.MapGet("/node", async (HttpContext context, NodeReader reader) =>
            Results.Json(reader.ReadNode(await CapabilitiesAsync(context, options).ConfigureAwait(false)), Json));
        api.MapGet("/metrics", () => Results.Json(NodeReader.ReadMetrics(), Json));
        api.MapGet("/applications", (NodeReader reader) => Results.Json(reader.ReadApplications(), Json));
        api.MapGet("/trees", async (NodeReader reader, CancellationToken cancellationToken) =>
            Results.Json(await reader.ReadTreesAsync(cancellationToken).ConfigureAwait(false), Json));
        api.MapGet("/processes", (HttpContext context, NodeReader reader) =>
        {
            var rows = reader.ReadProcesses(out var total);
            context.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
            return Results.Json(rows, Json);
        });
        api.MapGet("/processes/{pid}", async (string pid, NodeReader reader, CancellationToken cancellationToken) =>
            ParsePid(reader.Node, pid) is { } p && await reader.ReadProcessAsync(p, cancellationToken).ConfigureAwait(false) is { } detail
                ? Results.Json(detail, Json)
                : Results.Json(new ActionResult(false, null, $"no process {pid}"), Json, statusCode: 404));
        api.MapGet("/modules", (NodeReader reader) => Results.Json(reader.ReadModules(), Json));
        api.MapGet("/releases", (NodeReader reader) => Results.Json(reader.ReadReleases(), Json));
        api.MapGet("/releases/{version}/plan", async (string version, NodeReader reader, CancellationToken cancellationToken) =>
        {
            try
            {
                return Results.Json(await reader.ReadPlanAsync(version, cancellationToken).ConfigureAwait(false), Json);
            }
            catch (Exception ex) when (DashboardActions.IsRefusal(ex))
            {
                return Results.Json(new ActionResult(false, null, ex.Message), Json, statusCode: 409);
            }
        });
        api.MapGet("/reports", (DashboardStream stream) => Results.Json(stream.Reports, Json));
        api.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(new { headerName = tokens.HeaderName, token = tokens.RequestToken }, Json);
        });
        api.MapGet("/events", (HttpContext context, DashboardStream stream) => StreamAsync(context, stream));

        if (options.EnableActions)
        {
            if (options.OperatePolicy is { } operate) DashboardActions.MapOperate(api.MapGroup("").AddEndpointFilter(new PolicyFilter(operate, audit: true)).AddEndpointFilter(AntiforgeryFilter));
            if (options.UpgradePolicy is { } upgrade) DashboardActions.MapUpgrade(api.MapGroup("").AddEndpointFilter(new PolicyFilter(upgrade, audit: true)).AddEndpointFilter(AntiforgeryFilter));
        }
        return group;
    }

    /// <summary>The pid written <c>0.12.0</c> or <c>&lt;0.12.0&gt;</c>, if it names a live process of the node.</summary>
    internal static Pid? ParsePid(Node node, string text)
    {
        var parts = text.Trim('<', '>').Split('.');
        return parts.Length == 3 && parts[0] == "0" && parts[2] == "0" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? node.FindProcess(id)
            : null;
    }

    private static async Task<CapabilityView> CapabilitiesAsync(HttpContext context, OtpDashboardOptions options)
    {
        if (!options.EnableActions) return new CapabilityView(false, false);
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        // The request is the resource, as for the endpoints' own authorization: a policy that reads it decides alike.
        async Task<bool> Allowed(string? policy) => policy is not null && (await authorization.AuthorizeAsync(context.User, context, policy).ConfigureAwait(false)).Succeeded;
        return new CapabilityView(await Allowed(options.OperatePolicy).ConfigureAwait(false), await Allowed(options.UpgradePolicy).ConfigureAwait(false));
    }

    private static IResult Page(HttpContext context, string prefix)
    {
        var basePath = System.Net.WebUtility.HtmlEncode(context.Request.PathBase.Add(prefix).Value ?? prefix);
        SecurityHeaders(context);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Content(DashboardAssets.IndexTemplate.Replace("%OTP_BASE%", basePath, StringComparison.Ordinal), "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static IResult Asset(HttpContext context, string file)
    {
        if (DashboardAssets.Find(file) is not { } asset || file == "index.html") return Results.NotFound();
        SecurityHeaders(context);
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static void SecurityHeaders(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
    }

    /// <summary>Server-sent events until the client leaves: the node's changes, samples, and how many events a slow client lost.</summary>
    private static async Task StreamAsync(HttpContext context, DashboardStream stream)
    {
        var response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        // The stream ends when the client leaves or the host stops: an open page must not hold up a graceful shutdown.
        var stopping = context.RequestServices.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        using var viewer = stream.Join();
        try
        {
            await response.WriteAsync("retry: 2000\nevent: hello\ndata: {}\n\n", cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            var reader = viewer.Events;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var dropped = viewer.TakeDropped();
                if (dropped > 0) await WriteEventAsync(response, new StreamEvent("dropped", new { count = dropped }), cancellationToken).ConfigureAwait(false);
                while (reader.TryRead(out var e)) await WriteEventAsync(response, e, cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client left
        }
        catch (IOException)
        {
            // the connection broke
        }
    }

    private static Task WriteEventAsync(HttpResponse response, StreamEvent e, CancellationToken cancellationToken) =>
        response.WriteAsync($"event: {e.Kind}\ndata: {JsonSerializer.Serialize(e.Data, Json)}\n\n", cancellationToken);

    /// <summary>Every action needs the antiforgery token of the page (header) and its cookie.</summary>
    private static async ValueTask<object?> AntiforgeryFilter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category);
            DashboardLog.ActionRefused(logger, context.Request.Path, "-", DashboardActions.UserOf(context), context.Connection.RemoteIpAddress?.ToString(), "missing or invalid antiforgery token");
            return Results.Json(new ActionResult(false, null, "missing or invalid antiforgery token: reload the page"), Json, statusCode: 400);
        }
        return await next(invocation).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks one of the dashboard's policies itself, with the request as resource: a refused user gets the host's
    /// challenge (401) or forbid (403) when the host has authentication, and a 403 with the dashboard's error shape when
    /// it has none (where ASP.NET Core's authorization middleware would fail with a 500 for want of a scheme).
    /// </summary>
    private sealed class PolicyFilter(string policy, bool audit) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
        {
            var context = invocation.HttpContext;
            var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
            if ((await authorization.AuthorizeAsync(context.User, context, policy).ConfigureAwait(false)).Succeeded)
            {
                return await next(invocation).ConfigureAwait(false);
            }
            if (audit)
            {
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category);
                DashboardLog.ActionRefused(logger, context.Request.Path, "-", DashboardActions.UserOf(context), context.Connection.RemoteIpAddress?.ToString(), $"policy '{policy}' not met");
            }
            var schemes = context.RequestServices.GetService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();
            if (schemes is not null && await schemes.GetDefaultChallengeSchemeAsync().ConfigureAwait(false) is not null)
            {
                return context.User.Identity?.IsAuthenticated == true ? Results.Forbid() : Results.Challenge();
            }
            return Results.Json(new ActionResult(false, null, $"not allowed: the dashboard's policy '{policy}' refuses this request"), Json, statusCode: StatusCodes.Status403Forbidden);
        }
    }

    /// <summary>Refuses requests addressed to a host the options do not allow (DNS rebinding).</summary>
    private sealed class HostFilter(IList<string> allowed, ILogger logger) : IEndpointFilter
    {
        private readonly string[] _allowed = [.. allowed];

        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
        {
            var host = invocation.HttpContext.Request.Host.Host;
            if (Allows(host)) return next(invocation);
            DashboardLog.HostRefused(logger, host);
            return ValueTask.FromResult<object?>(Results.Text("Invalid host", "text/plain", statusCode: 400));
        }

        private bool Allows(string host)
        {
            if (host.Length == 0) return false;
            foreach (var a in _allowed)
            {
                if (a == "*") return true;
                if (a.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase)) return true;
                if (string.Equals(a, host, StringComparison.OrdinalIgnoreCase)) return true;
                if (a == "[::1]" && host == "::1") return true;
            }
            return false;
        }
    }
}
