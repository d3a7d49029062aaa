namespace Otp.Net.Code;

/// <summary>Where a module version stands.</summary>
public enum ModuleStatus
{
    /// <summary>The current version: new processes and fully-qualified calls use it.</summary>
    Current,

    /// <summary>The old version: kept while processes still run it (C1).</summary>
    Old,

    /// <summary>Purged, but its load context has not been collected yet.</summary>
    PendingUnload,

    /// <summary>Purged and collected: the assembly is gone from memory.</summary>
    Unloaded,
}
