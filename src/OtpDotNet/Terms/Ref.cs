namespace Otp.Net.Terms;

/// <summary>
/// A unique reference, the .NET form of an Erlang reference (<c>make_ref/0</c>). Monitors and timers are identified by one.
/// A reference that came from another program over the distribution equals the one it was made from when it comes back.
/// </summary>
public sealed class Ref : IEquatable<Ref>
{
    private static long _next;

    /// <summary>Creates a new reference, unique within the running program.</summary>
    public Ref() => Id = Interlocked.Increment(ref _next);

    /// <summary>A reference decoded from another program (<paramref name="origin"/> names that program).</summary>
    internal Ref(long id, long origin)
    {
        Id = id;
        Origin = origin;
    }

    /// <summary>
    /// The program this reference was made in, as distribution encodes it: random per program, never 0. References
    /// made here have <see cref="Origin"/> 0 and are written with this value.
    /// </summary>
    internal static long ProgramOrigin { get; } = Random.Shared.NextInt64(1, long.MaxValue);

    /// <summary>The reference's unique number (within the program it was made in).</summary>
    public long Id { get; }

    /// <summary>0 for a reference made in this program; otherwise the program it came from.</summary>
    internal long Origin { get; }

    /// <inheritdoc />
    public bool Equals(Ref? other) => ReferenceEquals(this, other) || (other is not null && other.Id == Id && other.Origin == Origin);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Ref r && Equals(r);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>Equality (<see cref="Equals(Ref?)"/>).</summary>
    public static bool operator ==(Ref? left, Ref? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Ref? left, Ref? right) => !(left == right);

    /// <summary>Prints like Erlang: <c>#Ref&lt;0.0.0.42&gt;</c> (<c>#Ref&lt;1.0.0.42&gt;</c> for one made elsewhere).</summary>
    public override string ToString() => Origin == 0 ? $"#Ref<0.0.0.{Id}>" : $"#Ref<1.0.0.{Id}>";
}
