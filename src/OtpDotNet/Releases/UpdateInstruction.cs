namespace Otp.Net.Releases;

/// <summary>
/// <c>{update, Mod, Change, PrePurge, PostPurge, DepMods}</c>: suspends every process running the module, loads the
/// new version, migrates each process's state, resumes them (R8.3, R9). The processes are the ones the code server
/// has bound to the module, whether supervised or not — not those a child spec's <c>modules</c> list names (R10).
/// </summary>
public sealed record UpdateInstruction(string Module) : AppupInstruction
{
    /// <summary>Soft (state moves as it is) or advanced (<c>CodeChange</c>).</summary>
    public UpdateMode Mode { get; init; } = UpdateMode.Advanced;

    /// <summary>The <c>Extra</c> argument of <c>CodeChange</c> (advanced updates): a JSON value.</summary>
    public object? Extra { get; init; }

    /// <summary>What happens to processes already on old code before the load.</summary>
    public PurgeMode PrePurge { get; init; } = PurgeMode.BrutalPurge;

    /// <summary>What happens to the old version at <see cref="ReleaseHandler.MakePermanentAsync"/>.</summary>
    public PurgeMode PostPurge { get; init; } = PurgeMode.BrutalPurge;

    /// <summary>Modules this one depends on: suspended before it and resumed after it (R8.5).</summary>
    public IReadOnlyList<string> DepMods { get; init; } = [];
}
