using Otp.Net.Processes;

namespace Otp.Net.Releases;

/// <summary>The child diff a supervisor's new <c>Init</c> gives, dry-run on the live supervisor (R11).</summary>
public sealed record SupervisorRehearsal(string Module, Pid Pid, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Kept, bool FlagsChanged)
{
    /// <summary>The rehearsal's failure, when the new <c>Init</c> failed or returned invalid specs.</summary>
    public string? Error { get; init; }
}
