namespace Otp.Net.Releases;

/// <summary><c>load</c>: the staged version becomes current; the previous one becomes old.</summary>
public sealed record LoadStep(string Module) : ReleaseStep;
