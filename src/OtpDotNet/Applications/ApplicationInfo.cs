namespace Otp.Net.Applications;

/// <summary>One row of <c>which_applications</c>: name, description, version.</summary>
/// <param name="Name">The name.</param>
/// <param name="Description">The description.</param>
/// <param name="Version">The version.</param>
public sealed record ApplicationInfo(string Name, string Description, string Version);
