namespace Otp.Net.Code;

/// <summary>A module version as the code server reports it.</summary>
/// <param name="Module">The module's name.</param>
/// <param name="Version">Its version (<c>-vsn</c>).</param>
/// <param name="Status">Current, old, pending unload or unloaded.</param>
/// <param name="Processes">Live processes bound to it.</param>
public sealed record ModuleVersionInfo(string Module, string Version, ModuleStatus Status, int Processes)
{
    /// <summary>Like <c>counter 2 (Current, 3 processes)</c>.</summary>
    public override string ToString() => $"{Module} {Version} ({Status}, {Processes} process{(Processes == 1 ? "" : "es")})";
}
