namespace Otp.Net.Releases;

/// <summary>
/// <c>{load_module, Mod}</c>: loads the new version; no process is suspended (R9). A GenServer whose state the new
/// version accepts as it is moves to it at its next callback (S8); the others stay on the old version until purged.
/// </summary>
public sealed record LoadModuleInstruction(string Module) : AppupInstruction
{
    /// <summary>What happens to processes already on old code before the load (R7).</summary>
    public PurgeMode PrePurge { get; init; } = PurgeMode.BrutalPurge;

    /// <summary>What happens to the old version, if processes still run it, at <see cref="ReleaseHandler.MakePermanentAsync"/> (R7).</summary>
    public PurgeMode PostPurge { get; init; } = PurgeMode.BrutalPurge;

    /// <summary>Modules this one depends on: loaded before it.</summary>
    public IReadOnlyList<string> DepMods { get; init; } = [];
}
