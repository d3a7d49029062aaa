namespace Otp.Net.Releases;

/// <summary>Options of <see cref="ReleaseHandler.InstallAsync"/> and <see cref="ReleaseHandler.CheckInstallAsync"/>.</summary>
public sealed record InstallOptions
{
    /// <summary>The defaults.</summary>
    public static InstallOptions Default { get; } = new();

    /// <summary>All at once (OTP) or rolling, for updated modules.</summary>
    public InstallMode Mode { get; init; } = InstallMode.AllAtOnce;

    /// <summary>Processes per batch in <see cref="InstallMode.Rolling"/> mode.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How long a process may take to answer a suspend; one that does not answer aborts the install (nothing changed).</summary>
    public TimeSpan SuspendTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a process may take for its code change (or a rehearsal of it).</summary>
    public TimeSpan CodeChangeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What an <see cref="UpdateSupervisorInstruction"/> does with new and removed child ids.</summary>
    public SupervisorChildrenMode SupervisorChildren { get; init; } = SupervisorChildrenMode.Reconcile;

    /// <summary>
    /// A health probe run after the processes resumed, every <see cref="ProbeInterval"/> for <see cref="ProbeWindow"/>
    /// (at least once). False or an exception rolls the install back.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Func<CancellationToken, Task<bool>>? HealthProbe { get; init; }

    /// <summary>How long the <see cref="HealthProbe"/> watches the new release.</summary>
    public TimeSpan ProbeWindow { get; init; } = TimeSpan.Zero;

    /// <summary>The pause between two probes in the window.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "the batch size must be at least 1");
        if (SuspendTimeout <= TimeSpan.Zero && SuspendTimeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(SuspendTimeout), SuspendTimeout, "the suspend timeout must be positive");
        if (CodeChangeTimeout <= TimeSpan.Zero && CodeChangeTimeout != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(CodeChangeTimeout), CodeChangeTimeout, "the code change timeout must be positive");
        if (ProbeWindow < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ProbeWindow), ProbeWindow, "the probe window cannot be negative");
        if (ProbeInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ProbeInterval), ProbeInterval, "the probe interval must be positive");
    }
}
