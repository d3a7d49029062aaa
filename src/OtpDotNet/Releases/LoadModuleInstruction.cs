namespace Otp.Net.Releases;

/// <summary>
/// <c>{load_module, Mod}</c>: loads the new version; no process is suspended (R9). A GenServer whose state the new
/// version accepts as it is moves to it at its next callback (S8); the others stay on the old version until purged.
/// </summary>
public sealed record LoadModuleInstruction(string Module) : AppupInstruction
{
    /// <summary>Modules this one depends on: loaded before it.</summary>
    public IReadOnlyList<string> DepMods { get; init; } = [];
}
