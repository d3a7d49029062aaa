using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.GenServers;

/// <summary>
/// A name held by a process registry other than the node's own: OTP's <c>{via, Module, Name}</c>. Usable wherever a
/// server name is: <see cref="GenServerOptions.Name"/> (registration at start), <see cref="ServerRef"/> (calls, casts,
/// sys and supervisor functions resolve it through <see cref="Registry"/>) and child specs.
/// Create one with <see cref="Registries.Registry.Via"/>, or with the constructor for a registry of your own.
/// </summary>
public sealed class ViaName : IEquatable<ViaName>, ITermConvertible
{
    /// <summary>A via-name: <paramref name="name"/> in <paramref name="registry"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ViaName(IViaRegistry registry, object name)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(name);
        Registry = registry;
        Name = name;
    }

    /// <summary>The registry that holds the name.</summary>
    public IViaRegistry Registry { get; }

    /// <summary>The name within <see cref="Registry"/>.</summary>
    public object Name { get; }

    /// <summary>The live process holding the name, or null.</summary>
    public Pid? WhereIs() => Registry.WhereIsName(Name);

    /// <summary>A server reference that resolves through the registry at every use.</summary>
    public static implicit operator ServerRef(ViaName via) => ServerRef.Via(via);

    /// <inheritdoc />
    public bool Equals(ViaName? other) =>
        other is not null && Equals(Registry, other.Registry) && TermEquality.Equal(Name, other.Name);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ViaName v && Equals(v);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Registry, TermEquality.Hash(Name));

    /// <summary><c>{via, Module, Name}</c>.</summary>
    public object ToTerm() => Registry is IViaNameTerm own
        ? own.ViaTerm(Name)
        : Registry is ITermConvertible module
        ? TermTuple.Of(Atom.Of("via"), module.ToTerm(), Name)
        : TermTuple.Of(Atom.Of("via"), Atom.Of(Registry.GetType().FullName ?? Registry.GetType().Name), Name);

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
