namespace Otp.Net.Releases;

/// <summary>How an install moves the processes of an updated module.</summary>
public enum InstallMode
{
    /// <summary>
    /// OTP's relup: every affected process is suspended, changed and resumed together. Callers of every affected
    /// process wait for the whole suspend and change phase.
    /// </summary>
    AllAtOnce,

    /// <summary>
    /// For modules whose processes are independent of each other: the new version is loaded, then the processes are
    /// suspended, changed and resumed in batches of <see cref="InstallOptions.BatchSize"/>, so a caller waits at most
    /// for one batch. Processes not reached yet keep running the old version meanwhile. The rollback guarantee is the
    /// same: batches already resumed go back through the newer version's down <c>CodeChange</c>.
    /// </summary>
    Rolling,
}
