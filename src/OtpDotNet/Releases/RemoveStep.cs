namespace Otp.Net.Releases;

/// <summary><c>remove</c>: the module's current code becomes old; it is purged once the install has succeeded (R9).</summary>
public sealed record RemoveStep(string Module) : ReleaseStep;
