using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otp.Net.Terms;

namespace Otp.Net.Code;

/// <summary>
/// The services a module version's constructor sees. It forwards shared services to the host's provider, but never
/// lets the host's provider see a module type (even a failed lookup would be cached there and keep the old version
/// loaded): <c>ILogger&lt;T&gt;</c> is created from the node's logger factory, and any other module type resolves to
/// nothing. Instances are created with <see cref="ActivatorUtilities"/>, which keeps no module type alive.
/// </summary>
internal sealed class ModuleServiceProvider(IServiceProvider? host, ILoggerFactory loggerFactory) : IServiceProvider
{
    public static object Create(Type moduleType, IServiceProvider? host, ILoggerFactory loggerFactory) =>
        ActivatorUtilities.CreateInstance(new ModuleServiceProvider(host, loggerFactory), moduleType);

    public object? GetService(Type serviceType)
    {
        if (serviceType == typeof(IServiceProvider)) return this;
        if (serviceType == typeof(ILoggerFactory)) return loggerFactory;
        if (serviceType.IsGenericType && serviceType.GetGenericTypeDefinition() == typeof(ILogger<>))
        {
            return Activator.CreateInstance(typeof(Logger<>).MakeGenericType(serviceType.GetGenericArguments()), loggerFactory);
        }
        if (StateTerms.IsModuleType(serviceType)) return null;
        return host?.GetService(serviceType);
    }
}
