using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Otp.Net.Dashboard;

/// <summary>Registers the dashboard's services.</summary>
public static class OtpDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds the dashboard over the <see cref="Node"/> registered in <paramref name="services"/> (by <c>AddOtp</c>), with
    /// antiforgery and authorization. Map its endpoints with <see cref="OtpDashboardEndpointRouteBuilderExtensions.MapOtpDashboard"/>.
    /// Options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddOtpDashboard(this IServiceCollection services, Action<OtpDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<OtpDashboardOptions>();
        if (configure is not null) builder.Configure(configure);
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtpDashboardOptions>, OtpDashboardOptionsValidator>());
        services.AddAntiforgery();
        services.AddAuthorization();
        services.TryAddSingleton(sp => new DashboardStream(sp.GetRequiredService<Node>(), sp.GetRequiredService<IOptions<OtpDashboardOptions>>().Value));
        services.TryAddSingleton(sp => new ModuleCatalog(sp.GetRequiredService<IOptions<OtpDashboardOptions>>().Value));
        services.TryAddSingleton(sp => new NodeReader(sp.GetRequiredService<Node>(), sp.GetRequiredService<DashboardStream>(),
            sp.GetRequiredService<ModuleCatalog>(), sp.GetRequiredService<IOptions<OtpDashboardOptions>>().Value));
        return services;
    }
}

/// <summary>Checks <see cref="OtpDashboardOptions"/> when the host starts.</summary>
internal sealed class OtpDashboardOptionsValidator : IValidateOptions<OtpDashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, OtpDashboardOptions options)
    {
        var errors = new List<string>();
        if (options.EventBufferSize < 16) errors.Add($"EventBufferSize must be at least 16 (was {options.EventBufferSize})");
        if (options.SampleInterval < TimeSpan.FromMilliseconds(100)) errors.Add($"SampleInterval must be at least 100 ms (was {options.SampleInterval})");
        if (options.ReportCapacity < 1) errors.Add($"ReportCapacity must be at least 1 (was {options.ReportCapacity})");
        if (options.MaxProcessRows < 1) errors.Add($"MaxProcessRows must be at least 1 (was {options.MaxProcessRows})");
        if (options.CallTimeout <= TimeSpan.Zero) errors.Add($"CallTimeout must be positive (was {options.CallTimeout})");
        if (options.AllowedHosts.Count == 0) errors.Add("AllowedHosts is empty: no request would be answered (use \"*\" to allow any host)");
        if (options.AllowedHosts.Any(string.IsNullOrWhiteSpace)) errors.Add("AllowedHosts has an empty entry");
        if (options.EnableActions && options.OperatePolicy is null && options.UpgradePolicy is null)
        {
            errors.Add("EnableActions needs OperatePolicy or UpgradePolicy: an action is offered only to users its capability's policy admits");
        }
        if (options.ModuleDirectory is { } dir && !Directory.Exists(dir)) errors.Add($"ModuleDirectory '{dir}' does not exist");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
