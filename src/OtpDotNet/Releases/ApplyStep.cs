namespace Otp.Net.Releases;

/// <summary><c>apply</c>: runs a module's release action (see <see cref="ApplyInstruction"/>).</summary>
public sealed record ApplyStep(string Module, string Action) : ReleaseStep
{
    /// <summary>The action's argument.</summary>
    public object? Args { get; init; }

    /// <summary>The action run on rollback, if any.</summary>
    public string? UndoAction { get; init; }
}
