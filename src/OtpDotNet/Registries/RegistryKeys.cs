namespace Otp.Net.Registries;

/// <summary>The kind of a <see cref="Registry"/>'s keys (Elixir's <c>keys: :unique | :duplicate</c>).</summary>
public enum RegistryKeys
{
    /// <summary>A key has at most one entry (one process); via-names need this kind.</summary>
    Unique,

    /// <summary>A key may have many entries, from many processes or several from one (e.g. pub/sub topics).</summary>
    Duplicate,
}
