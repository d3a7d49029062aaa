using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Otp.Net.Diagnostics;

namespace Otp.Net.Hosting;

/// <summary>Registers an Otp.Net node in a generic host.</summary>
public static class OtpServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="Node"/> singleton and a hosted lifecycle service that loads the declared modules and
    /// starts the declared applications before the other hosted services start, and stops them — PrepStop, then
    /// ordered shutdown — after the others have stopped, within <c>HostOptions.ShutdownTimeout</c>. The node's options
    /// come from <c>IOptions&lt;NodeOptions&gt;</c> (so <c>Configure&lt;NodeOptions&gt;</c> and the <c>Otp:Node</c>
    /// section apply), with the host's <see cref="ILoggerFactory"/>, <see cref="TimeProvider"/> and services (module
    /// versions and declared children are created from them) unless set there, then <see cref="OtpBuilder.Node"/>'s
    /// adjustments. <see cref="OtpOptions"/> is validated when the host starts. Calling it again adds to the same node:
    /// the applications of every call are started, and node adjustments apply in call order. An application name
    /// declared twice in code is refused with an <see cref="ArgumentException"/>.
    /// </summary>
    public static IServiceCollection AddOtp(this IServiceCollection services, Action<OtpBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.FirstOrDefault(d => d.ServiceType == typeof(OtpBuilder))?.ImplementationInstance is OtpBuilder existing)
        {
            configure(existing);
            return services;
        }
        var builder = new OtpBuilder(services);
        configure(builder);
        services.AddSingleton(builder);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<NodeOptions>();
        services.AddOptions<OtpOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<OtpOptions>, OtpOptionsValidator>();
        services.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            var options = configured with
            {
                // The node's own default (standard error) gives way to the host's logging; a factory set through
                // Configure<NodeOptions>, NullLoggerFactory included, is kept.
                LoggerFactory = configured.LoggerFactory is StandardErrorLoggerFactory ? sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance : configured.LoggerFactory,
                MeterFactory = configured.MeterFactory ?? sp.GetService<IMeterFactory>(),
                TimeProvider = configured.TimeProvider == TimeProvider.System ? sp.GetRequiredService<TimeProvider>() : configured.TimeProvider,
                Services = configured.Services ?? sp,
            };
            return new Node(builder.ConfigureNode?.Invoke(options) ?? options);
        });
        services.AddSingleton<OtpHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<OtpHostedService>());
        return services;
    }
}
