using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Otp.Net.Hosting;

/// <summary>Health checks for a node registered with <see cref="OtpServiceCollectionExtensions.AddOtp"/>.</summary>
public static class OtpHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check named <paramref name="name"/>: healthy when every declared application runs (OTP's
    /// <c>application:which_applications/0</c>) with its top supervisor alive; <paramref name="failureStatus"/>
    /// (default unhealthy) when one does not, or the host has not started them; degraded when a purged module version
    /// is still pending unload (something holds the old code). The data names each application's status.
    /// </summary>
    public static IHealthChecksBuilder AddOtp(this IHealthChecksBuilder builder, string name = "otp", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<OtpHealthCheck>(name, failureStatus, tags ?? []);
    }
}
