using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// What <see cref="ReleaseDiff"/> decided between two releases: the upgrade and downgrade instructions, one decision
/// line per module and application with its reason, and the errors (the diff failed: no instructions may be used)
/// and warnings. <see cref="Scaffolds"/> holds C# files that help fix a failed state change.
/// </summary>
internal sealed class DiffResult(string from, string to)
{
    public string From { get; } = from;

    public string To { get; } = to;

    public List<AppupInstruction> Upgrade { get; } = [];

    public List<AppupInstruction> Downgrade { get; } = [];

    public List<string> Decisions { get; } = [];

    public List<string> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    /// <summary>File name → C# text.</summary>
    public Dictionary<string, string> Scaffolds { get; } = new(StringComparer.Ordinal);

    /// <summary>Module name → normalized hash, in the newer release.</summary>
    public SortedDictionary<string, string> Hashes { get; } = new(StringComparer.Ordinal);

    public bool Failed => Errors.Count > 0;

    /// <summary>The reviewable document (<c>{ from, to, upgrade, downgrade }</c>).</summary>
    public DiffDocument ToDocument() => new(From, To, Upgrade, Downgrade) { Decisions = Decisions, Warnings = Warnings };

    /// <summary>Writes the decisions, warnings and errors, one per line.</summary>
    public void Print(TextWriter output)
    {
        output.WriteLine($"release diff {From} -> {To}");
        foreach (var line in Decisions) output.WriteLine("  " + line);
        foreach (var line in Warnings) output.WriteLine("warning: " + line);
        foreach (var line in Errors) output.WriteLine("error: " + line);
        output.WriteLine(Failed ? $"diff failed: {Errors.Count} error(s)" : $"{Upgrade.Count} upgrade and {Downgrade.Count} downgrade instruction(s)");
    }
}
