using System.Reflection;
using System.Reflection.Metadata;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// The shape of a GenServer's state type, as a soft update and <c>StateTerm.As&lt;T&gt;()</c> see it: each instance
/// field by path (a record's <c>&lt;X&gt;k__BackingField</c> read as <c>X</c>) with its type's name, recursively
/// through the types of the module's own assembly (whose names do not matter: a record of the same shape declared
/// under another name maps). A state type that names no type of its own assembly (int, a contract type) is
/// <see cref="IsShared"/>: it reaches the new version as it is.
/// </summary>
internal sealed class StateShape
{
    private StateShape(SortedDictionary<string, string> fields, bool shared, IReadOnlyList<string> delegates)
    {
        Fields = fields;
        IsShared = shared;
        Delegates = delegates;
    }

    /// <summary>Field path → type name (own types as <c>{}</c>, described by the paths below them).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Whether the state type names no type of its module's assembly.</summary>
    public bool IsShared { get; }

    /// <summary>The paths of fields of a delegate type.</summary>
    public IReadOnlyList<string> Delegates { get; }

    /// <summary>The shape of <paramref name="state"/>, a type as <paramref name="image"/>'s signatures name it.</summary>
    public static StateShape Of(AssemblyImage image, TypeSig state)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var delegates = new List<string>();
        var shared = !state.InvolvesOwnType;
        if (state is not NamedSig { IsOwn: true }) fields[""] = ShapeName(state);
        if (IsDelegate(image, state)) delegates.Add("(the state itself)");
        Expand(image, state, "", fields, delegates, []);
        return new StateShape(fields, shared, delegates);
    }

    /// <summary>Whether both shapes have the same fields with the same types.</summary>
    public bool SameAs(StateShape other) =>
        Fields.Count == other.Fields.Count && Fields.All(f => other.Fields.TryGetValue(f.Key, out var t) && t == f.Value);

    /// <summary>The differences from <paramref name="old"/> to this shape: added, removed and retyped fields.</summary>
    public IReadOnlyList<string> DiffFrom(StateShape old)
    {
        var lines = new List<string>();
        foreach (var (path, type) in Fields)
        {
            if (!old.Fields.TryGetValue(path, out var before)) lines.Add($"+ {Show(path)}: {type} (added)");
            else if (before != type) lines.Add($"~ {Show(path)}: {before} -> {type} (retyped)");
        }
        foreach (var (path, type) in old.Fields)
        {
            if (!Fields.ContainsKey(path)) lines.Add($"- {Show(path)}: {type} (removed)");
        }
        return lines;
    }

    private static string Show(string path) => path.Length == 0 ? "(state)" : path;

    /// <summary>The instance fields of an own type, base types first, with record backing fields named as their properties.</summary>
    public static IEnumerable<(string Name, TypeSig Type)> InstanceFields(AssemblyImage image, TypeDefinitionHandle handle)
    {
        if (image.BaseType(handle) is NamedSig { IsOwn: true } baseType)
        {
            foreach (var field in InstanceFields(image, baseType.Definition)) yield return field;
        }
        var reader = image.Reader;
        foreach (var f in reader.GetTypeDefinition(handle).GetFields())
        {
            var field = reader.GetFieldDefinition(f);
            if ((field.Attributes & FieldAttributes.Static) != 0) continue;
            yield return (FieldName(reader.GetString(field.Name)), field.DecodeSignature(image.Sigs, null));
        }
    }

    /// <summary><c>&lt;X&gt;k__BackingField</c> → <c>X</c>.</summary>
    public static string FieldName(string name) =>
        name.StartsWith('<') && name.EndsWith(">k__BackingField", StringComparison.Ordinal) ? name[1..^">k__BackingField".Length] : name;

    private static void Expand(AssemblyImage image, TypeSig sig, string path, SortedDictionary<string, string> fields, List<string> delegates, HashSet<TypeDefinitionHandle> visiting)
    {
        switch (sig)
        {
            case NamedSig { IsOwn: true } own:
                if (!visiting.Add(own.Definition))
                {
                    fields[path + "@"] = "(cycle)";
                    return;
                }
                foreach (var (name, type) in InstanceFields(image, own.Definition))
                {
                    var child = path.Length == 0 ? name : path + "." + name;
                    fields[child] = ShapeName(type);
                    if (IsDelegate(image, type)) delegates.Add(child);
                    Expand(image, type, child, fields, delegates, visiting);
                }
                visiting.Remove(own.Definition);
                break;
            case GenericSig generic:
                for (var i = 0; i < generic.Arguments.Length; i++)
                {
                    if (generic.Arguments[i].InvolvesOwnType || IsDelegate(image, generic.Arguments[i]))
                    {
                        var child = $"{path}<{i}>";
                        if (IsDelegate(image, generic.Arguments[i])) delegates.Add(child);
                        Expand(image, generic.Arguments[i], child, fields, delegates, visiting);
                    }
                }
                break;
            case WrappedSig wrapped:
                Expand(image, wrapped.Element, path + "[]", fields, delegates, visiting);
                break;
        }
    }

    /// <summary>A type's name in a shape: own types as <c>{}</c> (their fields are compared instead).</summary>
    private static string ShapeName(TypeSig sig) => sig switch
    {
        NamedSig { IsOwn: true } => "{}",
        GenericSig g => $"{ShapeName(g.Definition)}<{string.Join(",", g.Arguments.Select(ShapeName))}>",
        WrappedSig w => ShapeName(w.Element) + w.Suffix,
        _ => sig.ToString(),
    };

    private static readonly string[] DelegateNames = ["System.Delegate", "System.MulticastDelegate", "System.Predicate`1", "System.Comparison`1", "System.Converter`2", "System.EventHandler", "System.EventHandler`1", "System.AsyncCallback"];

    /// <summary>Whether a type is a delegate: an own type deriving from MulticastDelegate, or a well-known
    /// framework delegate (<c>Func</c>, <c>Action</c>, <c>Predicate</c>...), read without loading anything.</summary>
    public static bool IsDelegate(AssemblyImage image, TypeSig sig) => sig switch
    {
        NamedSig { IsOwn: true } own => image.IsDelegate(own.Definition),
        NamedSig named => named.FullName.StartsWith("System.Func`", StringComparison.Ordinal) || named.FullName == "System.Action"
            || named.FullName.StartsWith("System.Action`", StringComparison.Ordinal) || DelegateNames.Contains(named.FullName),
        GenericSig generic => IsDelegate(image, generic.Definition),
        _ => false,
    };
}
