namespace Otp.Net.Releases;

/// <summary>A module of an application in a release: its name, version and assembly file.</summary>
/// <param name="Name">The module's name, as the code server knows it.</param>
/// <param name="Version">The module's version.</param>
/// <param name="File">The assembly, relative to the release folder, with forward slashes
/// (e.g. <c>lib/shop-1.0.0/Shop.dll</c>).</param>
public sealed record ModuleDescriptor(string Name, string Version, string File);
