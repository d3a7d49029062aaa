using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Releases;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Dashboard;

/// <summary>The body of an exit action.</summary>
/// <param name="Reason"><c>kill</c>, <c>shutdown</c>, <c>normal</c> or any other atom.</param>
public sealed record ExitRequest(string? Reason);

/// <summary>The body of a change-code action.</summary>
/// <param name="OldVersion">The version the process's <c>CodeChange</c> is told it comes from.</param>
/// <param name="Extra">The extra argument, as text (null: none).</param>
public sealed record ChangeCodeRequest(string? OldVersion, string? Extra);

/// <summary>The body of an upgrade action.</summary>
/// <param name="File">A file name the code view listed as available for the module.</param>
public sealed record UpgradeRequest(string? File);

/// <summary>
/// The dashboard's actions. Each one is audited with the user's identity and answers
/// <c>{ ok, result }</c> or <c>{ ok: false, error }</c>: 400 for a bad request, 404 for a process or child that is not
/// there, 409 when the runtime refuses (a typed error: not purged, no such release, a failed code change...).
/// </summary>
internal static class DashboardActions
{
    private const int MaxAtomLength = 255;

    public static void MapOperate(RouteGroupBuilder api)
    {
        api.MapPost("/processes/{pid}/suspend", (HttpContext context, NodeReader reader, string pid) =>
            OnBehaviourAsync(context, reader, "suspend", pid, async (p, timeout, ct) =>
            {
                await SysOps.SuspendAsync(p, timeout, ct).ConfigureAwait(false);
                return "suspended";
            }));
        api.MapPost("/processes/{pid}/resume", (HttpContext context, NodeReader reader, string pid) =>
            OnBehaviourAsync(context, reader, "resume", pid, async (p, timeout, ct) =>
            {
                await SysOps.ResumeAsync(p, timeout, ct).ConfigureAwait(false);
                return "resumed";
            }));
        api.MapPost("/processes/{pid}/exit", (HttpContext context, NodeReader reader, string pid) =>
            RunAsync(context, "exit", pid, async ct =>
            {
                var body = await BodyAsync<ExitRequest>(context, ct).ConfigureAwait(false);
                var reason = Reason(body?.Reason ?? throw new BadActionException("name the exit reason: { \"reason\": \"kill\" | \"shutdown\" | \"normal\" | an atom }"));
                var target = Find(reader, pid);
                reader.Node.Exit(target, reason);
                return $"exit signal {reason} sent to {target}";
            }));
        api.MapPost("/supervisors/{pid}/children/{id}/terminate", (HttpContext context, NodeReader reader, string pid, string id) =>
            RunAsync(context, "terminate-child", $"{pid} {id}", async ct =>
            {
                var (supervisor, child) = await ChildAsync(reader, pid, id, ct).ConfigureAwait(false);
                var result = await Supervisor.TerminateChildAsync(supervisor, child.Id, reader.Options.CallTimeout, ct).ConfigureAwait(false);
                return result.IsOk ? $"{id} terminated" : throw new ActionRefusedException(result.ToString()!);
            }));
        api.MapPost("/supervisors/{pid}/children/{id}/restart", (HttpContext context, NodeReader reader, string pid, string id) =>
            RunAsync(context, "restart-child", $"{pid} {id}", async ct =>
            {
                var (supervisor, child) = await ChildAsync(reader, pid, id, ct).ConfigureAwait(false);
                if (child.Restart == RestartType.Temporary)
                {
                    // terminate_child deletes a temporary child's spec (U5): there would be nothing left to restart.
                    throw new ActionRefusedException($"{id} is temporary: its supervisor never restarts it, and terminating it deletes it (exit it instead)");
                }
                var terminated = await Supervisor.TerminateChildAsync(supervisor, child.Id, reader.Options.CallTimeout, ct).ConfigureAwait(false);
                if (!terminated.IsOk) throw new ActionRefusedException(terminated.ToString()!);
                var started = await Supervisor.RestartChildAsync(supervisor, child.Id, reader.Options.CallTimeout, ct).ConfigureAwait(false);
                return started.Outcome == StartOutcome.Error ? throw new ActionRefusedException(started.ToString()!) : $"{id} restarted: {started}";
            }));
    }

    public static void MapUpgrade(RouteGroupBuilder api)
    {
        api.MapPost("/processes/{pid}/change-code", (HttpContext context, NodeReader reader, string pid) =>
            OnBehaviourAsync(context, reader, "change-code", pid, async (p, timeout, ct) =>
            {
                var body = await BodyAsync<ChangeCodeRequest>(context, ct).ConfigureAwait(false);
                // As release_handler does: suspend, change code, resume (sys:change_code needs a suspended process).
                await SysOps.SuspendAsync(p, timeout, ct).ConfigureAwait(false);
                SysResult result;
                try
                {
                    result = await SysOps.ChangeCodeAsync(p, null, body?.OldVersion, body?.Extra, timeout, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    await SysOps.ResumeAsync(p, timeout, CancellationToken.None).ConfigureAwait(false);
                }
                return result.IsOk ? "code changed" : throw new ActionRefusedException(result.ToString()!);
            }));
        api.MapPost("/modules/{module}/upgrade", (HttpContext context, NodeReader reader, ModuleCatalog catalog, string module) =>
            RunAsync(context, "upgrade", module, async ct =>
            {
                var body = await BodyAsync<UpgradeRequest>(context, ct).ConfigureAwait(false);
                var file = body?.File ?? throw new BadActionException("name the module file to upgrade to (\"file\")");
                var entry = catalog.Find(module, file) ?? throw new BadActionException($"'{file}' is not a version of {module} in the module directory");
                var report = await reader.Node.Code.UpgradeAsync(module, entry.Path, cancellationToken: ct).ConfigureAwait(false);
                return report.ToString()!;
            }));
        api.MapPost("/modules/{module}/purge", (HttpContext context, NodeReader reader, string module) =>
            RunAsync(context, "purge", module, async ct =>
                await reader.Node.Code.PurgeAsync(module, ct).ConfigureAwait(false) ? $"{module}: old code purged" : $"{module}: no old code"));
        api.MapPost("/modules/{module}/soft-purge", (HttpContext context, NodeReader reader, string module) =>
            RunAsync(context, "soft-purge", module, async ct =>
                await reader.Node.Code.SoftPurgeAsync(module, ct).ConfigureAwait(false) ? $"{module}: old code purged" : throw new ActionRefusedException($"{module}: processes still run the old code (soft purge refuses)")));
        api.MapPost("/releases/{version}/install", (HttpContext context, NodeReader reader, string version) =>
            RunAsync(context, "release-install", version, async ct =>
            {
                var result = await reader.Node.Releases.InstallAsync(version, cancellationToken: ct).ConfigureAwait(false);
                return $"{(result.Direction == ChangeDirection.Up ? "upgraded" : "downgraded")} from {result.FromVersion} to {result.ToVersion}: {result.Journal.Count} steps";
            }));
        api.MapPost("/releases/{version}/permanent", (HttpContext context, NodeReader reader, string version) =>
            RunAsync(context, "release-permanent", version, async ct =>
            {
                await reader.Node.Releases.MakePermanentAsync(version, ct).ConfigureAwait(false);
                return $"{version} is permanent";
            }));
        api.MapPost("/releases/rollback", (HttpContext context, NodeReader reader) =>
            RunAsync(context, "release-rollback", "permanent", async ct =>
            {
                var releases = reader.Node.Releases;
                var permanent = releases.WhichReleases().FirstOrDefault(r => r.Status == ReleaseStatus.Permanent)?.Version
                    ?? throw new ActionRefusedException("no permanent release to go back to");
                if (permanent == releases.CurrentVersion) throw new ActionRefusedException($"{permanent} is both current and permanent: nothing to roll back");
                var result = await releases.InstallAsync(permanent, cancellationToken: ct).ConfigureAwait(false);
                return $"rolled back from {result.FromVersion} to {result.ToVersion}";
            }));
    }

    private static Task<IResult> OnBehaviourAsync(HttpContext context, NodeReader reader, string action, string pid, Func<Pid, TimeSpan, CancellationToken, Task<string>> run) =>
        RunAsync(context, action, pid, ct =>
        {
            var target = Find(reader, pid);
            if (reader.Node.GetProcessInfo(target)?.Behaviour is null) throw new BadActionException($"{target} runs no behaviour: sys operations need a GenServer or a supervisor");
            return run(target, reader.Options.CallTimeout, ct);
        });

    private static Pid Find(NodeReader reader, string pid) =>
        OtpDashboardEndpointRouteBuilderExtensions.ParsePid(reader.Node, pid) ?? throw new NotThereException($"no process {pid}");

    /// <summary>The action's JSON body, null if there is none; anything else than JSON of the right shape is a bad request.</summary>
    private static async Task<T?> BodyAsync<T>(HttpContext context, CancellationToken cancellationToken)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null)) return null;
        if (!request.HasJsonContentType()) throw new BadActionException($"send the body as JSON (Content-Type: application/json), not '{request.ContentType}'");
        try
        {
            return await request.ReadFromJsonAsync<T>(OtpDashboardEndpointRouteBuilderExtensions.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new BadActionException($"the body is not a {typeof(T).Name} in JSON: {ex.Message}");
        }
    }

    private static async Task<(Pid Supervisor, ChildInfo Child)> ChildAsync(NodeReader reader, string pid, string id, CancellationToken cancellationToken)
    {
        id = id.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase); // routing leaves an encoded slash encoded
        var supervisor = Find(reader, pid);
        if (reader.Node.GetProcessInfo(supervisor)?.Behaviour != "supervisor") throw new BadActionException($"{supervisor} is not a supervisor");
        var children = await Supervisor.WhichChildrenAsync(supervisor, reader.Options.CallTimeout, cancellationToken).ConfigureAwait(false);
        var child = children.FirstOrDefault(c => !c.Id.IsUndefined && c.Id.ToString() == id)
            ?? throw new NotThereException($"{supervisor} has no child {id} (children of a dynamic supervisor are addressed by pid: exit them)");
        return (supervisor, child);
    }

    private static ExitReason Reason(string text) => text switch
    {
        "kill" => ExitReason.Kill,
        "normal" => ExitReason.Normal,
        "shutdown" => ExitReason.Shutdown,
        _ when text.Length is > 0 and <= MaxAtomLength && !text.Any(char.IsControl) => ExitReason.Of(Atom.Of(text)),
        _ => throw new BadActionException($"an exit reason is an atom of 1 to {MaxAtomLength} printable characters"),
    };

    private static async Task<IResult> RunAsync(HttpContext context, string action, string target, Func<CancellationToken, Task<string>> run)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category);
        var user = UserOf(context);
        var remote = context.Connection.RemoteIpAddress?.ToString();
        try
        {
            var result = await run(context.RequestAborted).ConfigureAwait(false);
            DashboardLog.ActionDone(logger, action, target, user, remote, result);
            return Results.Json(new ActionResult(true, result, null), OtpDashboardEndpointRouteBuilderExtensions.Json);
        }
        catch (Exception ex) when (StatusOf(ex) is { } status)
        {
            DashboardLog.ActionRefused(logger, action, target, user, remote, ex.Message);
            return Results.Json(new ActionResult(false, null, ex.Message), OtpDashboardEndpointRouteBuilderExtensions.Json, statusCode: status);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            DashboardLog.ActionFailed(logger, action, target, user, remote, ex);
            return Results.Json(new ActionResult(false, null, $"{action} failed: {ex.GetType().Name}: {ex.Message}"), OtpDashboardEndpointRouteBuilderExtensions.Json, statusCode: 500);
        }
    }

    private static int? StatusOf(Exception ex) => ex switch
    {
        BadActionException or ArgumentException => StatusCodes.Status400BadRequest,
        NotThereException => StatusCodes.Status404NotFound,
        _ when IsRefusal(ex) => StatusCodes.Status409Conflict,
        _ => null,
    };

    /// <summary>A typed refusal of the runtime: the request was understood and the system is as it was.</summary>
    internal static bool IsRefusal(Exception ex) =>
        ex is ActionRefusedException or CodeLoadException or UpgradeFailedException or ReleaseException or ReleaseInstallException or ICallFailure;

    internal static string UserOf(HttpContext context) => context.User.Identity is { IsAuthenticated: true, Name: { } name } ? name : "anonymous";

    private sealed class BadActionException(string message) : Exception(message);

    private sealed class NotThereException(string message) : Exception(message);

    private sealed class ActionRefusedException(string message) : Exception(message);
}
