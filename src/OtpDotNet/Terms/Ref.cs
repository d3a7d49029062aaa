namespace Otp.Net.Terms;

/// <summary>
/// A unique reference, the .NET form of an Erlang reference (<c>make_ref/0</c>). Monitors and timers are identified by one.
/// </summary>
public sealed class Ref : IEquatable<Ref>
{
    private static long _next;

    /// <summary>Creates a new reference, unique within the running program.</summary>
    public Ref() => Id = Interlocked.Increment(ref _next);

    /// <summary>The reference's unique number.</summary>
    public long Id { get; }

    /// <inheritdoc />
    public bool Equals(Ref? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();

    /// <summary>Prints like Erlang: <c>#Ref&lt;0.0.0.42&gt;</c>.</summary>
    public override string ToString() => $"#Ref<0.0.0.{Id}>";
}
