namespace Otp.Net.Hosting;

/// <summary>
/// The node's declared contents as options (<c>IOptions&lt;OtpOptions&gt;</c>): applications with their supervision
/// trees, and the code-server modules loaded before they start. Bound from configuration by
/// <see cref="OtpBuilder.AddApplicationsFrom"/> (see <see cref="ConfigurationTrees"/> for the shape), adjustable with
/// <c>services.Configure&lt;OtpOptions&gt;(...)</c>, and validated when the host starts: an invalid tree stops the host with
/// an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> whose messages name each configuration path.
/// </summary>
public sealed class OtpOptions
{
    /// <summary>The applications, by name (the OTP application resource files of a release).</summary>
    public Dictionary<string, ApplicationOptions> Applications { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Code-server modules loaded when the host starts, before any application: module name (its
    /// <c>[OtpModule]</c> name) to assembly path, relative paths taken from the host's content root (as OTP's code path).
    /// </summary>
    public Dictionary<string, string> Modules { get; } = new(StringComparer.Ordinal);

    /// <summary>Where each application was bound from (for error messages); code-declared ones have none.</summary>
    internal Dictionary<string, string> ApplicationPaths { get; } = new(StringComparer.Ordinal);

    /// <summary>Where each module was bound from.</summary>
    internal Dictionary<string, string> ModulePaths { get; } = new(StringComparer.Ordinal);

    /// <summary>Configuration errors found while binding (unknown keys, values of the wrong type), with their paths.</summary>
    internal List<string> BindErrors { get; } = [];

    internal string PathOfApplication(string name) => ApplicationPaths.TryGetValue(name, out var p) ? p : $"Otp:Applications:{name}";

    internal string PathOfModule(string name) => ModulePaths.TryGetValue(name, out var p) ? p : $"Otp:Modules:{name}";
}
