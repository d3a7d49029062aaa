using Otp.Net.Processes;

namespace Otp.Net.Releases;

/// <summary>A process a step would touch, and how its rehearsed code change went.</summary>
/// <param name="Module">The module the process runs.</param>
/// <param name="Pid">The process.</param>
/// <param name="Ok">Whether the new code's change of a copy of its live state succeeded.</param>
/// <param name="Error">The failure, as text, when not <paramref name="Ok"/>.</param>
public sealed record ProcessRehearsal(string Module, Pid Pid, bool Ok, string? Error);
