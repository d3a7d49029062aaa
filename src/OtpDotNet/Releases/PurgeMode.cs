namespace Otp.Net.Releases;

/// <summary>An update's <c>PrePurge</c> / <c>PostPurge</c> (R7).</summary>
public enum PurgeMode
{
    /// <summary>Kill the processes still running the old code (the default of both).</summary>
    BrutalPurge,

    /// <summary>Before the load: fail the install if a process runs old code. After: purge only when no process runs the old code.</summary>
    SoftPurge,
}
