using Otp.Net.Processes;

namespace Otp.Net.Registries;

/// <summary>One entry of a key in a <see cref="Registry"/>: Elixir's <c>{pid, value}</c>.</summary>
/// <param name="Pid">The process that registered the key.</param>
/// <param name="Value">The value it registered with.</param>
public readonly record struct RegistryEntry(Pid Pid, object? Value);
