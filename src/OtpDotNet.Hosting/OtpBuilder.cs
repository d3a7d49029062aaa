using Microsoft.Extensions.Configuration;

namespace Otp.Net.Hosting;

/// <summary>Configures the node that <see cref="OtpServiceCollectionExtensions.AddOtp"/> registers.</summary>
public sealed class OtpBuilder
{
    internal List<ApplicationBuilder> Applications { get; } = [];

    internal Func<NodeOptions, NodeOptions>? ConfigureNode { get; private set; }

    /// <summary>Declares an application the host starts (after its dependencies) and stops with the host.</summary>
    /// <exception cref="ArgumentException">An application named <paramref name="name"/> is already declared.</exception>
    public OtpBuilder AddApplication(string name, Func<ApplicationBuilder, ApplicationBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        ThrowIfDeclared(name);
        Applications.Add(configure(new ApplicationBuilder(name)));
        return this;
    }

    /// <summary>Declares the applications of a configuration section (see <see cref="ConfigurationTrees"/> for its shape).</summary>
    /// <exception cref="ArgumentException">One of them is already declared.</exception>
    public OtpBuilder AddApplicationsFrom(IConfiguration section)
    {
        var read = ConfigurationTrees.Read(section);
        // Check them all before adding any: a refused section changes nothing.
        var names = new HashSet<string>(Applications.Select(a => a.Name), StringComparer.Ordinal);
        foreach (var app in read)
        {
            if (!names.Add(app.Name)) throw Declared(app.Name);
        }
        Applications.AddRange(read);
        return this;
    }

    /// <summary>Adjusts the node's options (clock, tracer) beyond what the host provides; several adjustments apply in order.</summary>
    public OtpBuilder Node(Func<NodeOptions, NodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var previous = ConfigureNode;
        ConfigureNode = previous is null ? configure : options => configure(previous(options));
        return this;
    }

    private void ThrowIfDeclared(string name)
    {
        if (Applications.Exists(a => a.Name == name)) throw Declared(name);
    }

    private static ArgumentException Declared(string name) => new($"application {name} is already declared", nameof(name));
}
