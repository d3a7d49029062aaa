namespace Otp.Net.Terms;

/// <summary>
/// An immutable value of a layer above the terms (a pid, an exit reason) that the term machinery treats as a leaf:
/// state snapshots (<see cref="StateTerms"/>) keep it as it is and never walk into it, and <see cref="TermFormatter"/>
/// prints it through <see cref="TryGetPrintedTerm"/>. The terms stay at the bottom of the layering this way, with no
/// reference to the layers that define such values.
/// </summary>
internal interface IOpaqueTerm
{
    /// <summary>
    /// True when the value prints as <paramref name="term"/> (at the value's own depth); false when it prints as its
    /// own text (<see cref="object.ToString"/>).
    /// </summary>
    bool TryGetPrintedTerm(out object? term);
}
