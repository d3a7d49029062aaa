namespace Otp.Net.Releases;

/// <summary><c>suspend</c>: <c>sys:suspend</c> on every process bound to the modules, in the order given (R8.5, R10).</summary>
public sealed record SuspendStep(IReadOnlyList<string> Modules) : ReleaseStep;
