using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Otp.Net.Hosting;

/// <summary>Registers an Otp.Net node in a generic host.</summary>
public static class OtpServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="Node"/> singleton (logging through the host's <see cref="ILoggerFactory"/>, module versions
    /// created from the host's services) and a hosted service that starts the declared applications when the host
    /// starts and stops them — PrepStop, then ordered shutdown — when it stops, within <c>HostOptions.ShutdownTimeout</c>.
    /// Calling it again adds to the same node: the applications of every call are started, and node adjustments apply
    /// in call order. An application name declared twice is refused with an <see cref="ArgumentException"/>.
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
        var builder = new OtpBuilder();
        configure(builder);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var options = new NodeOptions
            {
                LoggerFactory = sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                TimeProvider = sp.GetRequiredService<TimeProvider>(),
                Services = sp,
            };
            return new Node(builder.ConfigureNode?.Invoke(options) ?? options);
        });
        services.AddSingleton(builder);
        services.AddHostedService<OtpHostedService>();
        return services;
    }
}
