namespace Otp.Net.Releases;

/// <summary><c>code_change</c>: <c>sys:change_code</c> on the processes suspended for the module (R8.3, R8.4).</summary>
public sealed record CodeChangeStep(string Module, ChangeDirection Direction) : ReleaseStep
{
    /// <summary>The <c>Extra</c> argument.</summary>
    public object? Extra { get; init; }
}
