namespace Otp.Net.Releases;

/// <summary>The journal's line for the caller's health probe after resume (<see cref="InstallOptions.HealthProbe"/>).</summary>
public sealed record HealthProbeStep : ReleaseStep;
