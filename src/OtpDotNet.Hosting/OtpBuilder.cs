using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Otp.Net.Hosting;

/// <summary>Configures the node that <see cref="OtpServiceCollectionExtensions.AddOtp"/> registers.</summary>
public sealed class OtpBuilder
{
    private readonly IServiceCollection? _services;

    internal OtpBuilder(IServiceCollection? services = null) => _services = services;

    internal List<ApplicationBuilder> Applications { get; } = [];

    internal Dictionary<string, string> Modules { get; } = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Binds the applications, modules and node settings of a configuration section into <see cref="OtpOptions"/> and
    /// <see cref="NodeOptions"/> (see <see cref="ConfigurationTrees"/> for its shape). The section is read and checked
    /// when the host starts: an invalid one (an unknown key, a value of the wrong type, a duplicate id, an unknown type
    /// or module, an application also declared in code) stops the host with an <see cref="OptionsValidationException"/>
    /// naming each configuration path.
    /// </summary>
    /// <exception cref="InvalidOperationException">The builder was not created by <see cref="OtpServiceCollectionExtensions.AddOtp"/>.</exception>
    public OtpBuilder AddApplicationsFrom(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var services = _services ?? throw new InvalidOperationException("AddApplicationsFrom needs the builder given by AddOtp");
        services.AddSingleton<IConfigureOptions<OtpOptions>>(sp => new OtpOptionsSetup(section, sp.GetService<IHostEnvironment>()));
        services.AddOptions<NodeOptions>().Bind(section.GetSection("Node"));
        return this;
    }

    /// <summary>
    /// Loads the code-server module <paramref name="module"/> from the assembly at <paramref name="path"/> when the host
    /// starts, before any application (relative paths are taken from the host's content root), so that children declared
    /// with <see cref="SupervisorBuilder.Module"/> can run it and be upgraded live.
    /// </summary>
    /// <exception cref="ArgumentException">The module is already declared.</exception>
    public OtpBuilder LoadModule(string module, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Modules.TryAdd(module, path)) throw new ArgumentException($"module {module} is already declared", nameof(module));
        return this;
    }

    /// <summary>
    /// Adjusts the node's options (clock, tracer) beyond what the host and <c>Configure&lt;NodeOptions&gt;</c> provide;
    /// several adjustments apply in order.
    /// </summary>
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
