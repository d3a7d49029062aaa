using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>
/// A child's id within its supervisor (OTP's child spec <c>id</c>), used by <see cref="ChildSpec"/>, the hosting builder,
/// configuration and <see cref="Supervisor.WhichChildrenAsync"/>. An id is an atom or an integer in OTP's terms: one made
/// from a string (<c>"worker1"</c>) and one made from an atom (<c>Atom.Of("worker1")</c>, or read from configuration)
/// are the same id, and both print as OTP prints the atom (<c>worker1</c>, <c>'MyApp.Counter'</c>); an integer id
/// (<c>10000</c>) prints as the integer. The default value is <c>undefined</c>: the id of a dynamic supervisor's
/// children, and invalid in a spec (<c>missing_id</c>).
/// </summary>
public readonly struct ChildId : IEquatable<ChildId>, ITermConvertible
{
    private static readonly Atom Undefined = Atom.Of("undefined");

    private readonly object? _term; // an Atom or a boxed long

    /// <summary>The id named <paramref name="name"/> (the atom of that name).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public ChildId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _term = Atom.Of(name);
    }

    private ChildId(object term) => _term = term;

    /// <summary>The id's name when it is an atom; null for an integer id and for <c>undefined</c> (the default value).</summary>
    public string? Name => _term is Atom a ? a.Name : null;

    /// <summary>True for the default value, printed <c>undefined</c>.</summary>
    public bool IsUndefined => _term is null;

    /// <summary>The id named <paramref name="name"/>; a null string gives <c>undefined</c>, which a spec rejects as <c>missing_id</c>.</summary>
    public static implicit operator ChildId(string? name) => name is null ? default : new(name);

    /// <summary>The id named as <paramref name="atom"/>: equal to the id made from the atom's name.</summary>
    public static implicit operator ChildId(Atom atom) => new((object)atom);

    /// <summary>An integer id (OTP allows any term; Elixir code often uses integers).</summary>
    public static implicit operator ChildId(long id) => new((object)id);

    /// <summary>The id as a term: an atom, an integer, or <c>undefined</c>.</summary>
    public object ToTerm() => _term ?? Undefined;

    /// <inheritdoc />
    public bool Equals(ChildId other) => Equals(_term, other._term);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ChildId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _term?.GetHashCode() ?? 0;

    /// <summary>As OTP prints the id: the atom, quoted where needed (<c>worker1</c>, <c>'my worker'</c>), the integer, or <c>undefined</c>.</summary>
    public override string ToString() => TermFormatter.Format(ToTerm());

    /// <summary>Equality.</summary>
    public static bool operator ==(ChildId left, ChildId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(ChildId left, ChildId right) => !left.Equals(right);
}
