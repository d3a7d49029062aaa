using Microsoft.Extensions.Diagnostics.HealthChecks;
using Otp.Net.Code;

namespace Otp.Net.Hosting;

/// <summary>
/// The node's health: every declared application running with its top supervisor alive (else the registration's
/// failure status), and no purged module version stuck in <see cref="ModuleStatus.PendingUnload"/> (else degraded).
/// </summary>
internal sealed class OtpHealthCheck(Node node, OtpHostedService hosted) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        if (!hosted.Running) return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the node's applications are not running (the host has not started them, or is stopping)", data: data));
        var running = node.Applications.WhichApplications().Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var app in hosted.Declared)
        {
            string status;
            if (!running.Contains(app)) status = "not running";
            else if (hosted.CallbackOf(app) is not { } callback || callback.TopSupervisor.IsUndefined || !node.IsAlive(callback.TopSupervisor)) status = "top supervisor down";
            else status = "running";
            data[app] = status;
            if (status != "running") problems.Add($"{app}: {status}");
        }
        if (problems.Count > 0) return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems), data: data));
        var pending = node.Code.PendingUnload;
        if (pending.Count > 0)
        {
            var versions = string.Join(", ", pending.Select(v => $"{v.Module} {v.Version}"));
            data["pendingUnload"] = versions;
            return Task.FromResult(HealthCheckResult.Degraded($"purged module versions not unloaded yet (still referenced): {versions}", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy($"{hosted.Declared.Count} application(s) running", data));
    }
}
