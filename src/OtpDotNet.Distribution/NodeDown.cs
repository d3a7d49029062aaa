using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary><c>{nodedown, Node}</c>: a node this process monitors went down, or could not be reached (X3).</summary>
/// <param name="Node">The node's name.</param>
public sealed record NodeDown(string Node) : ITermConvertible
{
    private static readonly Atom Tag = Atom.Of("nodedown");

    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Tag, Atom.Of(Node));

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
