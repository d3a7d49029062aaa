using Microsoft.Extensions.Configuration;

namespace Otp.Net.Hosting;

/// <summary>Configures the node that <see cref="OtpServiceCollectionExtensions.AddOtp"/> registers.</summary>
public sealed class OtpBuilder
{
    internal List<ApplicationBuilder> Applications { get; } = [];

    internal Func<NodeOptions, NodeOptions>? ConfigureNode { get; private set; }

    /// <summary>Declares an application the host starts (after its dependencies) and stops with the host.</summary>
    public OtpBuilder AddApplication(string name, Func<ApplicationBuilder, ApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Applications.Add(configure(new ApplicationBuilder(name)));
        return this;
    }

    /// <summary>Declares the applications of a configuration section (see <see cref="ConfigurationTrees"/> for its shape).</summary>
    public OtpBuilder AddApplicationsFrom(IConfiguration section)
    {
        Applications.AddRange(ConfigurationTrees.Read(section));
        return this;
    }

    /// <summary>Adjusts the node's options (clock, tracer) beyond what the host provides.</summary>
    public OtpBuilder Node(Func<NodeOptions, NodeOptions> configure)
    {
        ConfigureNode = configure;
        return this;
    }
}
