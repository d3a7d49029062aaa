using System.Collections.Concurrent;

namespace Otp.Net.Terms;

/// <summary>
/// An interned symbol, the .NET form of an Erlang atom (<c>ok</c>, <c>normal</c>, <c>'EXIT'</c>).
/// Two atoms with the same name are equal and share one string instance.
/// </summary>
public readonly struct Atom : IEquatable<Atom>
{
    private static readonly ConcurrentDictionary<string, string> Table = new(StringComparer.Ordinal);

    private readonly string? _name;

    private Atom(string name) => _name = name;

    /// <summary>The atom's name.</summary>
    public string Name => _name ?? "undefined";

    /// <summary>Returns the atom named <paramref name="name"/>.</summary>
    public static Atom Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new Atom(Table.GetOrAdd(name, name));
    }

    /// <summary>Converts a string to an atom.</summary>
    public static implicit operator Atom(string name) => Of(name);

    /// <inheritdoc />
    public bool Equals(Atom other) => ReferenceEquals(Name, other.Name);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Atom a && Equals(a);

    /// <inheritdoc />
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>The atom in Erlang syntax (quoted where needed).</summary>
    public override string ToString() => TermFormatter.Format(this);

    /// <summary>Equality.</summary>
    public static bool operator ==(Atom left, Atom right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Atom left, Atom right) => !left.Equals(right);
}
