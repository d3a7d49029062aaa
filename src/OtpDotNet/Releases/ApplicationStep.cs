using Otp.Net.Applications;

namespace Otp.Net.Releases;

/// <summary>Loads, starts, stops or unloads an application (the applies of add/remove/restart_application, R9).</summary>
public sealed record ApplicationStep(string Application, ApplicationAction Action) : ReleaseStep
{
    /// <summary>The start type, for <see cref="ApplicationAction.Start"/>.</summary>
    public ApplicationType Type { get; init; } = ApplicationType.Permanent;
}
