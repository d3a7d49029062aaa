using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary><c>{nodeup, Node}</c>: a node joined (delivered to processes that monitor every node, <see cref="Cluster.MonitorNodes"/>).</summary>
/// <param name="Node">The node's name.</param>
public sealed record NodeUp(string Node) : ITermConvertible
{
    private static readonly Atom Tag = Atom.Of("nodeup");

    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Tag, Atom.Of(Node));

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
