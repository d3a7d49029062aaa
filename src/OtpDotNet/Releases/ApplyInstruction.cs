namespace Otp.Net.Releases;

/// <summary>
/// <c>{apply, {M, F, A}}</c>: calls <see cref="IReleaseActions.ApplyAsync"/> of a module's callback with
/// <see cref="Action"/> and <see cref="Args"/>. A failure fails the install (R5). An apply placed before a
/// <see cref="PointOfNoReturnInstruction"/> also runs in <see cref="ReleaseHandler.CheckInstallAsync"/> (R2). Its side
/// effects are undone on rollback only through <see cref="UndoAction"/>, which is applied the same way.
/// </summary>
public sealed record ApplyInstruction(string Module, string Action) : AppupInstruction
{
    /// <summary>The argument passed to the action: a JSON value.</summary>
    public object? Args { get; init; }

    /// <summary>The action that undoes this one when the install rolls back; null when there is none.</summary>
    public string? UndoAction { get; init; }
}
