using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Registries;

/// <summary>
/// <see cref="Registry"/> as a via module: <c>{via, Registry, {Registry, Key}}</c> (or <c>{Registry, Key, Value}</c>).
/// Registration is made by the named process itself, with <see cref="Value"/>.
/// </summary>
internal sealed class RegistryVia(ServerRef registry, object? value) : IViaRegistry, IViaNameTerm, ITermConvertible, IEquatable<RegistryVia>
{
    public ServerRef Registry { get; } = registry;

    public object? Value { get; } = value;

    public bool RegisterName(object name, Pid pid)
    {
        var caller = ProcessContext.CurrentProcess;
        if (caller is null || caller.Self != pid)
        {
            throw new InvalidOperationException($"a Registry via-name is registered by the named process itself; {pid} is not the calling process");
        }
        UniqueTable();
        return Registries.Registry.Register(Registry, name, Value).IsOk;
    }

    public void UnregisterName(object name) => Registries.Registry.Unregister(Registry, name);

    public Pid? WhereIsName(object name) => UniqueTable().WhereIs(name);

    private RegistryTable UniqueTable()
    {
        var table = RegistryTable.Of(Registry);
        if (table.Kind != RegistryKeys.Unique)
        {
            throw new InvalidOperationException($"via-names need a registry with unique keys; {Registry} has duplicate keys");
        }
        return table;
    }

    public object ToTerm() => Atom.Of("Elixir.Registry");

    public object ViaTerm(object name) =>
        TermTuple.Of(Atom.Of("via"), ToTerm(), Value is null ? TermTuple.Of(Registry.ToTerm(), name) : TermTuple.Of(Registry.ToTerm(), name, Value));

    public bool Equals(RegistryVia? other) =>
        other is not null && Registry.Equals(other.Registry) && TermEquality.Equal(Value, other.Value);

    public override bool Equals(object? obj) => obj is RegistryVia v && Equals(v);

    public override int GetHashCode() => Registry.GetHashCode();

    public override string ToString() => $"Registry {Registry}";
}
