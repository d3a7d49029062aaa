namespace Otp.Net.Releases;

/// <summary>
/// <see cref="InstallMode.Rolling"/>'s form of an update: load, then suspend, change and resume the module's processes
/// in batches of <see cref="BatchSize"/>.
/// </summary>
public sealed record RollingUpdateStep(string Module, ChangeDirection Direction, int BatchSize) : ReleaseStep
{
    /// <summary>Advanced (<c>CodeChange</c>) or soft (state moved by shape).</summary>
    public UpdateMode Mode { get; init; } = UpdateMode.Advanced;

    /// <summary>The <c>Extra</c> argument.</summary>
    public object? Extra { get; init; }
}
