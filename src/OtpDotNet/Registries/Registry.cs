using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Otp.Net.Registries;

/// <summary>
/// Elixir's <c>Registry</c> (D4): a local key-value process registry with unique or duplicate keys. A process registers
/// <b>itself</b> under a key with a value; the registry links to it and removes its entries after it dies
/// (asynchronously: <see cref="Lookup"/> can briefly list a dead pid, while via-names skip dead pids). Reads go straight
/// to the registry's table and never wait on the registry process.
/// </summary>
/// <remarks>
/// A registry is addressed by a <see cref="ServerRef"/>: <c>ServerRef.Named(node, name)</c> from any code, or its pid.
/// It runs as one process; start it under a supervisor with <see cref="ChildSpec"/>. Registered processes are linked to
/// it, so if it stops they get its exit signal, as with Elixir's registry partitions.
/// </remarks>
public static class Registry
{
    /// <summary><c>Registry.start_link/1</c>: starts a registry linked to the caller (when inside a process).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="node"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RegistryOptions.Keys"/> is not a defined kind.</exception>
    public static Task<StartResult> StartLinkAsync(Node node, RegistryOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        Validate(options);
        return GenServer.StartLinkAsync(node, new RegistryServer(), options.Keys, new GenServerOptions { Name = options.Name }, cancellationToken);
    }

    /// <summary>
    /// <c>Registry.child_spec/1</c>: a permanent child running a registry, with id <see cref="RegistryOptions.Name"/>
    /// (or <c>Registry</c> when unnamed).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RegistryOptions.Keys"/> is not a defined kind.</exception>
    public static ChildSpec ChildSpec(RegistryOptions options)
    {
        Validate(options);
        return new(options.Name ?? "Registry", node => StartLinkAsync(node, options)) { Modules = ["Elixir.Registry"] };
    }

    /// <summary>
    /// <c>Registry.register/3</c>: registers the <b>calling</b> process under <paramref name="key"/> with
    /// <paramref name="value"/> and links it to the registry. Gives <c>{ok, Owner}</c>, or for a unique key held by a
    /// live process (the caller included) <c>{error, {already_registered, Pid}}</c> (D4). A duplicate registry accepts
    /// the same key many times, also from one process.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside any process.</exception>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static RegistrationResult Register(ServerRef registry, object key, object? value = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var caller = Caller("register");
        return RegistryTable.Of(registry).Register(caller, key, value);
    }

    /// <summary>
    /// <c>Registry.unregister/2</c>: removes the calling process's entries under <paramref name="key"/> (none: nothing
    /// happens); a process left with no entries is unlinked from the registry.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside any process.</exception>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static void Unregister(ServerRef registry, object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var caller = Caller("unregister");
        RegistryTable.Of(registry).Unregister(caller, key);
    }

    /// <summary>
    /// <c>Registry.lookup/2</c>: the entries under <paramref name="key"/> (at most one for a unique registry). An entry
    /// whose process has just died may still be listed until the registry has removed it (D4).
    /// </summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static IReadOnlyList<RegistryEntry> Lookup(ServerRef registry, object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return RegistryTable.Of(registry).Lookup(key);
    }

    /// <summary>
    /// <c>Registry.match/3</c>: the entries under <paramref name="key"/> whose value satisfies <paramref name="pattern"/>
    /// (the .NET form of a match pattern).
    /// </summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static IReadOnlyList<RegistryEntry> Match(ServerRef registry, object key, Func<object?, bool> pattern)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(pattern);
        return RegistryTable.Of(registry).Lookup(key).Where(e => pattern(e.Value)).ToArray();
    }

    /// <summary><c>Registry.keys/2</c>: the keys <paramref name="pid"/> is registered under (repeated for repeated duplicate entries).</summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static IReadOnlyList<object> Keys(ServerRef registry, Pid pid) => RegistryTable.Of(registry).KeysOf(pid);

    /// <summary><c>Registry.values/3</c>: the values <paramref name="pid"/> registered under <paramref name="key"/>.</summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static IReadOnlyList<object?> Values(ServerRef registry, object key, Pid pid)
    {
        ArgumentNullException.ThrowIfNull(key);
        return RegistryTable.Of(registry).ValuesOf(key, pid);
    }

    /// <summary><c>Registry.count/1</c>: the number of entries.</summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static int Count(ServerRef registry) => RegistryTable.Of(registry).Count;

    /// <summary>
    /// <c>Registry.dispatch/3</c>: calls <paramref name="callback"/>, in the calling code, with the entries under
    /// <paramref name="key"/> (e.g. to send each one a message); not called when there are none.
    /// </summary>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static void Dispatch(ServerRef registry, object key, Action<IReadOnlyList<RegistryEntry>> callback)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(callback);
        var entries = RegistryTable.Of(registry).Lookup(key);
        if (entries.Count > 0) callback(entries);
    }

    /// <summary>
    /// <c>Registry.update_value/3</c>: replaces the value of the calling process's entry under a unique key with
    /// <paramref name="update"/>(old value); returns the new and old values, or null (<c>:error</c>) when the caller
    /// holds no entry under <paramref name="key"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside any process, or on a duplicate registry.</exception>
    /// <exception cref="UnknownRegistryException"><paramref name="registry"/> is not a running registry.</exception>
    public static (object? New, object? Old)? UpdateValue(ServerRef registry, object key, Func<object?, object?> update)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(update);
        var caller = Caller("update_value");
        var table = RegistryTable.Of(registry);
        if (table.Kind != RegistryKeys.Unique) throw new InvalidOperationException("update_value needs a registry with unique keys");
        return table.UpdateValue(caller.Self, key, update);
    }

    /// <summary>
    /// A via-name for <paramref name="key"/> in <paramref name="registry"/> (Elixir's
    /// <c>{:via, Registry, {registry, key}}</c>, or <c>{registry, key, value}</c> with a value): usable as
    /// <see cref="GenServerOptions.Name"/> (the server registers itself at start; a live holder gives
    /// <c>{error, {already_started, Pid}}</c>) and as a <see cref="ServerRef"/> (calls, casts and stops find the live
    /// holder; a dead one is skipped: D4). The registry must have unique keys.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static ViaName Via(ServerRef registry, object key, object? value = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ViaName(new RegistryVia(registry, value), key);
    }

    private static void Validate(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Keys)) throw new ArgumentOutOfRangeException(nameof(options), options.Keys, "keys must be Unique or Duplicate");
        if (options.Name is "") throw new ArgumentException("a registry's name must not be empty", nameof(options));
    }

    private static LocalProcess Caller(string function) =>
        ProcessContext.CurrentProcess ?? throw new InvalidOperationException($"Registry.{function} registers the calling process: call it from inside a process");
}
