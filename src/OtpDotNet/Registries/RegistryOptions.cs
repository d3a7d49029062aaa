namespace Otp.Net.Registries;

/// <summary>How to start a <see cref="Registry"/> (Elixir's <c>Registry.start_link/1</c> options).</summary>
/// <param name="Keys">Unique or duplicate keys.</param>
public sealed record RegistryOptions(RegistryKeys Keys)
{
    /// <summary>
    /// The registry process's local name on its node (Elixir requires one; here it may be null, and the registry is
    /// then addressed by pid). Also the default child id of <see cref="Registry.ChildSpec"/>.
    /// </summary>
    public string? Name { get; init; }
}
