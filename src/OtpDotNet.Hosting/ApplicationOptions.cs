using Otp.Net.Applications;

namespace Otp.Net.Hosting;

/// <summary>One application of <see cref="OtpOptions.Applications"/>: the fields of an OTP <c>.app</c> file and its tree.</summary>
public sealed class ApplicationOptions
{
    /// <summary><c>vsn</c> (default <c>0.0.0</c>).</summary>
    public string Version { get; set; } = "0.0.0";

    /// <summary><c>description</c>.</summary>
    public string Description { get; set; } = "";

    /// <summary>The start type (A6), default temporary.</summary>
    public ApplicationType Type { get; set; } = ApplicationType.Temporary;

    /// <summary><c>applications</c>: those that must run first.</summary>
    public List<string> DependsOn { get; } = [];

    /// <summary>
    /// The assembly-qualified name of a callback module derived from <see cref="SupervisedApplication"/> (<c>mod</c>),
    /// created with constructor injection; none for a plain supervised application.
    /// </summary>
    public string? Callback { get; set; }

    /// <summary><c>env</c>: the application's environment (string values).</summary>
    public Dictionary<string, string?> Env { get; } = new(StringComparer.Ordinal);

    /// <summary>The top supervisor (registered under the application's name unless it names another) and its children.</summary>
    public ChildOptions Supervisor { get; set; } = new();
}
