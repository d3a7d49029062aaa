namespace Otp.Net.Releases;

/// <summary><c>resume</c>: resumes the processes suspended for the modules, in reverse order (R8.5).</summary>
public sealed record ResumeStep(IReadOnlyList<string> Modules) : ReleaseStep;
