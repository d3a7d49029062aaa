namespace Otp.Net.Registries;

/// <summary>
/// The registry given is not a running <see cref="Registry"/> (Elixir raises <c>ArgumentError</c>, "unknown
/// registry"): no process under that name or pid, a process that is not a registry, or a registry that has stopped.
/// Nothing was changed.
/// </summary>
public sealed class UnknownRegistryException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="registry"/>.</summary>
    public UnknownRegistryException(string registry)
        : base($"unknown registry: {registry}") => Registry = registry;

    /// <summary>The registry as given (name or pid).</summary>
    public string Registry { get; }
}
