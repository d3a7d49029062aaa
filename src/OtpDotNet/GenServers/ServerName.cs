namespace Otp.Net.GenServers;

/// <summary>
/// The name a server registers under when it starts (OTP's <c>ServerName</c>): a local name on the node
/// (<c>{local, Name}</c>, given as a string) or a <see cref="ViaName"/> (<c>{via, Module, Name}</c>). Both convert
/// implicitly, so <c>Name = "counter"</c> and <c>Name = Registry.Via(registry, key)</c> both work.
/// </summary>
public sealed class ServerName : IEquatable<ServerName>
{
    private ServerName(string? local, ViaName? via)
    {
        Local = local;
        Via = via;
    }

    /// <summary>The local name (<c>{local, Name}</c>), or null for a via-name.</summary>
    public string? Local { get; }

    /// <summary>The via-name, or null for a local name.</summary>
    public ViaName? Via { get; }

    /// <summary>A local name.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public static ServerName Of(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(name, null);
    }

    /// <summary>A via-name.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="via"/> is null.</exception>
    public static ServerName Of(ViaName via)
    {
        ArgumentNullException.ThrowIfNull(via);
        return new(null, via);
    }

    /// <summary>A local name; null stays null (no name).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(name))]
    public static implicit operator ServerName?(string? name) => name is null ? null : Of(name);

    /// <summary>A via-name; null stays null (no name).</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(via))]
    public static implicit operator ServerName?(ViaName? via) => via is null ? null : Of(via);

    /// <inheritdoc />
    public bool Equals(ServerName? other) => other is not null && Local == other.Local && Equals(Via, other.Via);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ServerName n && Equals(n);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Local, Via);

    /// <inheritdoc />
    public override string ToString() => Local ?? Via!.ToString();
}
