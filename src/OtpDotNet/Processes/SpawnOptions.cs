namespace Otp.Net.Processes;

/// <summary>How to spawn a process (the .NET form of <c>spawn_opt</c> options).</summary>
public sealed record SpawnOptions
{
    /// <summary>No link, no name, not trapping.</summary>
    public static SpawnOptions Default { get; } = new();

    /// <summary>Link the new process to the spawning process (which becomes its parent). Ignored outside a process.</summary>
    public bool Link { get; init; }

    /// <summary>Start with <c>trap_exit</c> set.</summary>
    public bool TrapExit { get; init; }

    /// <summary>Register the new process under this name before it runs; fails if the name is taken.</summary>
    public string? Name { get; init; }

    /// <summary>The parent to record (defaults to the spawning process when linked).</summary>
    public Pid? Parent { get; init; }

    /// <summary>Create the process but do not run it until <see cref="Node.StartSuspended(Pid)"/> (used to set up monitors atomically).</summary>
    public bool StartSuspended { get; init; }
}
