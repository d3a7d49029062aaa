using System.Collections.Concurrent;

namespace Otp.Net.Distribution;

/// <summary>
/// The allow-list of user types that may cross nodes. Terms (atoms, numbers, strings, binaries, tuples, lists, maps,
/// pids, refs, exit reasons) always may; a record or class may only when it is listed here, on the sending and on the
/// receiving node. A frame never makes a node load or create a type it did not list.
/// </summary>
public sealed class MessageTypes
{
    private readonly ConcurrentDictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _byType = new();

    /// <summary>Allows <typeparamref name="T"/>.</summary>
    public MessageTypes Allow<T>() => Allow(typeof(T));

    /// <summary>Allows <paramref name="types"/>.</summary>
    /// <exception cref="ArgumentException">A type is open generic, abstract, an interface or a delegate; or two types share a name.</exception>
    public MessageTypes Allow(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            ArgumentNullException.ThrowIfNull(type);
            if (type.ContainsGenericParameters || type.IsAbstract || type.IsInterface || typeof(Delegate).IsAssignableFrom(type) || type.IsPointer)
            {
                throw new ArgumentException($"{type} cannot cross nodes: only concrete records, classes and structs can be allowed", nameof(types));
            }
            var name = type.FullName ?? type.Name;
            var existing = _byName.GetOrAdd(name, type);
            if (existing != type) throw new ArgumentException($"{type} has the same name as {existing.AssemblyQualifiedName}, already allowed", nameof(types));
            _byType[type] = name;
        }
        return this;
    }

    /// <summary>Allows every public concrete record, class and struct of <typeparamref name="T"/>'s namespace in its assembly.</summary>
    public MessageTypes AllowNamespaceOf<T>()
    {
        var ns = typeof(T).Namespace;
        return Allow(typeof(T).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == ns && !t.IsAbstract && !t.IsInterface && !t.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(t) && !t.IsEnum)
            .ToArray());
    }

    /// <summary>True when <paramref name="type"/> is allowed.</summary>
    public bool IsAllowed(Type type) => _byType.ContainsKey(type);

    internal bool TryGetName(Type type, out string name) => _byType.TryGetValue(type, out name!);

    internal bool TryGetType(string name, out Type type) => _byName.TryGetValue(name, out type!);
}
