namespace Otp.Net.Releases;

/// <summary><c>load_object_code</c>: reads and stages the new module versions (fresh load contexts, not current yet) (R8.1).</summary>
public sealed record LoadObjectCodeStep(IReadOnlyList<string> Modules) : ReleaseStep;
