using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Otp.Net.Terms;

/// <summary>Conversions between values holding module objects and neutral terms, bounded and cycle-safe.</summary>
internal static class StateTerms
{
    /// <summary>How deep a reported term (exit reason, failure) keeps its structure before a part is cut.</summary>
    private const int ReportDepth = 32;

    /// <summary>How many objects of a reported term are kept before the rest is cut.</summary>
    private const int ReportObjects = 10_000;

    private static readonly ConditionalWeakTable<Type, Capture[]> Captures = new();

    private sealed record Capture(string Key, bool NonPublic, PropertyInfo? Property, FieldInfo? Field);

    /// <summary>Whether <paramref name="type"/> comes from a module version's (collectible) load context.</summary>
    public static bool IsModuleType(Type type) => ObjectGraph.Belongs(type, null);

    /// <summary>
    /// Turns a state into neutral form for a migration: objects of <paramref name="old"/>'s types become
    /// <see cref="StateTerm"/>s and the collections holding them are copied; everything else is kept as it is. Throws a
    /// <see cref="StateMigrationException"/> on a cycle through a copied part, on depth or size past the limits, and
    /// when an object that cannot be copied holds objects of the old version.
    /// </summary>
    public static object? Neutralize(object? value, AssemblyLoadContext? old) =>
        new Neutralizer(old, strict: true, StateTerm.MaxDepth, StateTerm.MaxObjects).Visit(value, 0, "");

    /// <summary>
    /// The same for a term that is only reported or matched (an exit reason, a failure): nothing is thrown; cycles, depth
    /// and size past the report limits and objects that cannot be copied become <c>'...'</c> or their type's name. A term
    /// holding no module object is returned as it is.
    /// </summary>
    public static object? NeutralizeForReport(object? value)
    {
        if (value is null or string or Atom or Ref or IOpaqueTerm || value.GetType().IsPrimitive) return value;
        if (ObjectGraph.Reaches(value, null, out _, ReportObjects) == ObjectGraph.Found.None) return value;
        return new Neutralizer(null, strict: false, ReportDepth, ReportObjects).Visit(value, 0, "");
    }

    private static bool IsScalar(object value) =>
        value is string or Atom or Ref or IOpaqueTerm or decimal or DateTime or DateTimeOffset or TimeSpan or Guid || value.GetType().IsPrimitive;

    private sealed class Neutralizer(AssemblyLoadContext? old, bool strict, int maxDepth, int maxObjects)
    {
        private static readonly Atom Cut = Atom.Of("...");
        private readonly Dictionary<object, object?> _done = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> _onPath = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<object> _backEdges = new(ReferenceEqualityComparer.Instance);
        private int _objects;

        public object? Visit(object? value, int depth, string path)
        {
            if (value is null || IsScalar(value)) return value;
            var type = value.GetType();
            if (value is Enum e) return ObjectGraph.Belongs(type, old) ? e.ToString() : value;
            var byReference = !type.IsValueType;
            if (byReference)
            {
                if (_done.TryGetValue(value, out var known)) return known;
                if (_onPath.Contains(value))
                {
                    // A reference back to an object being converted: fine if that object stays as it is, a cycle if it is copied.
                    if (ObjectGraph.Belongs(type, old)) return Fail(StateMigrationError.Cycle, path, $"{type.FullName} references itself");
                    _backEdges.Add(value);
                    return value;
                }
            }
            if (depth > maxDepth) return Fail(StateMigrationError.TooDeep, path, $"nested deeper than {maxDepth}");
            if (++_objects > maxObjects) return Fail(StateMigrationError.TooLarge, path, $"more than {maxObjects} objects");
            object? result;
            if (byReference) _onPath.Add(value);
            try
            {
                result = Build(value, type, depth, path);
            }
            finally
            {
                if (byReference) _onPath.Remove(value);
            }
            if (byReference)
            {
                if (!ReferenceEquals(result, value) && _backEdges.Contains(value)) result = Fail(StateMigrationError.Cycle, path, $"a {type.Name} contains itself");
                _done[value] = result;
            }
            return result;
        }

        private object? Fail(StateMigrationError error, string path, string detail) =>
            strict ? throw new StateMigrationException(error, path, detail) : Cut;

        private object? Build(object value, Type type, int depth, string path)
        {
            var isOld = ObjectGraph.Belongs(type, old);
            var ownType = isOld && type.Assembly.IsCollectible;
            if (ownType && !(value is IEnumerable && IsCompilerGenerated(type))) return Record(value, type, depth, path);
            switch (value)
            {
                case TermTuple tuple:
                    var tupleItems = VisitAll(tuple, depth, path, out var tupleSame);
                    return tupleSame ? value : new TermTuple(tupleItems);
                case TermList list:
                    var listItems = VisitAll(list, depth, path, out var listSame);
                    return listSame ? value : new TermList(listItems);
                case IDictionary map when IsFrameworkCollection(type) || ownType:
                    return Map(map, type, isOld, depth, path);
                case Array array:
                    var arrayItems = VisitAll(array, depth, path, out var arraySame);
                    if (arraySame && !isOld) return value;
                    var element = isOld ? typeof(object) : type.GetElementType()!;
                    var copy = Array.CreateInstance(element, arrayItems.Length);
                    Array.Copy(arrayItems, copy, arrayItems.Length);
                    return copy;
                case IEnumerable items when IsFrameworkCollection(type) || ownType:
                    var enumerated = VisitAll(items, depth, path, out var same);
                    if (same && !isOld) return value;
                    if (!isOld && value is IList && type.GetConstructor(Type.EmptyTypes) is not null && Activator.CreateInstance(type) is IList rebuilt)
                    {
                        foreach (var item in enumerated) rebuilt.Add(item);
                        return rebuilt;
                    }
                    return enumerated.ToList();
                case ITuple tuple when !isOld:
                    var parts = new object?[tuple.Length];
                    var partsSame = true;
                    for (var i = 0; i < parts.Length; i++)
                    {
                        parts[i] = Visit(tuple[i], depth + 1, $"{path}.Item{i + 1}");
                        partsSame &= ReferenceEquals(parts[i], tuple[i]);
                    }
                    return partsSame ? value : new TermTuple(parts);
            }
            // Anything else cannot be copied generically: keep it if it holds nothing of the old version.
            var found = ObjectGraph.Reaches(value, old, out var what);
            if (found == ObjectGraph.Found.None) return value;
            if (!strict) return value is Delegate d ? $"#Fun<{d.Method.DeclaringType?.FullName}.{d.Method.Name}>" : value is Type t ? t.FullName : type.FullName;
            return Fail(StateMigrationError.OldVersionObject, path,
                found == ObjectGraph.Found.Yes ? $"a {type.FullName} holds {what} of the old version" : $"a {type.FullName} is too large to check for objects of the old version");
        }

        private object? Map(IDictionary map, Type type, bool isOld, int depth, string path)
        {
            var entries = new List<(object Key, object? Value)>();
            var same = true;
            foreach (DictionaryEntry entry in map)
            {
                var key = Visit(entry.Key, depth + 1, $"{path}[{entry.Key}]")!;
                var item = Visit(entry.Value, depth + 1, $"{path}[{entry.Key}]");
                same &= ReferenceEquals(key, entry.Key) && ReferenceEquals(item, entry.Value);
                entries.Add((key, item));
            }
            if (same && !isOld) return map;
            IDictionary copy = !isOld && type.GetConstructor(Type.EmptyTypes) is not null && Activator.CreateInstance(type) is IDictionary d ? d : new Dictionary<object, object?>();
            foreach (var (key, item) in entries) copy[key] = item;
            return copy;
        }

        private object?[] VisitAll(IEnumerable items, int depth, string path, out bool same)
        {
            var result = new List<object?>();
            same = true;
            var i = 0;
            foreach (var item in items)
            {
                var converted = Visit(item, depth + 1, $"{path}[{i++}]");
                same &= ReferenceEquals(converted, item);
                result.Add(converted);
            }
            return result.ToArray();
        }

        private StateTerm Record(object value, Type type, int depth, string path)
        {
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            var nonPublic = new HashSet<string>(StringComparer.Ordinal);
            foreach (var capture in CapturesOf(type))
            {
                object? raw;
                try
                {
                    raw = capture.Property is { } p ? p.GetValue(value) : capture.Field!.GetValue(value);
                }
                catch (TargetInvocationException)
                {
                    continue; // a computed property that throws: derived data, left out
                }
                fields[capture.Key] = Visit(raw, depth + 1, path.Length == 0 ? capture.Key : $"{path}.{capture.Key}");
                if (capture.NonPublic) nonPublic.Add(capture.Key);
            }
            return new StateTerm(type.FullName ?? type.Name, fields, nonPublic);
        }
    }

    private static bool IsCompilerGenerated(Type type) => type.Name.StartsWith('<') || type.IsDefined(typeof(CompilerGeneratedAttribute), false);

    /// <summary>BCL collections, whose enumeration runs no module code.</summary>
    private static bool IsFrameworkCollection(Type type) =>
        !type.Assembly.IsCollectible && type.Namespace is { } ns && ns.StartsWith("System.Collections", StringComparison.Ordinal);

    /// <summary>What a term keeps of an object: public properties and fields, and non-public fields (an auto-property's under its name).</summary>
    private static Capture[] CapturesOf(Type type) => Captures.GetValue(type, static t =>
    {
        var list = new List<Capture>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.CanRead && p.GetMethod!.IsPublic && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract" && keys.Add(p.Name)) list.Add(new Capture(p.Name, false, p, null));
        }
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            foreach (var f in c.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var name = BackingFieldOwner(f.Name) ?? f.Name;
                if (f.IsPublic)
                {
                    if (keys.Add(name)) list.Add(new Capture(name, false, null, f));
                    continue;
                }
                if (BackingFieldOwner(f.Name) is { } owner && keys.Contains(owner)) continue; // the public property already has it
                if (keys.Contains(name)) name = $"{c.Name}.{name}"; // a base class's private field of the same name
                if (keys.Add(name)) list.Add(new Capture(name, true, null, f));
            }
        }
        return list.ToArray();
    });

    private static string? BackingFieldOwner(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.EndsWith(">k__BackingField", StringComparison.Ordinal) ? fieldName[1..fieldName.IndexOf('>', StringComparison.Ordinal)] : null;

    // ------------------------------------------------------------------ terms onto types

    /// <summary>Converts a neutral value to <paramref name="target"/>.</summary>
    public static object? ConvertTo(object? value, Type target, StateMapping mapping, string path, int depth)
    {
        if (depth > StateTerm.MaxDepth) throw new StateMigrationException(StateMigrationError.TooDeep, path, $"nested deeper than {StateTerm.MaxDepth}");
        var strict = mapping == StateMapping.Strict;
        if (value is null)
        {
            if (!target.IsValueType || Nullable.GetUnderlyingType(target) is not null) return null;
            return strict ? throw Mismatch(path, target, "null") : Activator.CreateInstance(target);
        }
        if (target.IsInstanceOfType(value)) return value;
        if (Nullable.GetUnderlyingType(target) is { } underlying) return ConvertTo(value, underlying, mapping, path, depth);
        if (target.IsEnum)
        {
            if (value is string s && Enum.TryParse(target, s, ignoreCase: !strict, out var parsed)) return parsed;
            if (value is not string && value.GetType().IsPrimitive && value is IConvertible) return Enum.ToObject(target, value);
            throw Mismatch(path, target, value.GetType().Name);
        }
        if (value is StateTerm term) return Construct(term, target, mapping, path, depth);
        if (value is IDictionary map && TryDictionary(map, target, mapping, path, depth, out var d)) return d;
        if (value is IEnumerable list && value is not string && TryList(list, target, mapping, path, depth, out var l)) return l;
        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(target) && (!strict || (IsNumber(value.GetType()) && IsNumber(target))))
        {
            try
            {
                var converted = Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
                // Strict: only conversions that lose nothing (int to long, 3.0 to 3; not 3.5 to 3).
                if (!strict || Convert.ChangeType(converted, value.GetType(), CultureInfo.InvariantCulture).Equals(value)) return converted;
            }
            catch (Exception ex) when (ex is OverflowException or InvalidCastException or FormatException)
            {
                // reported below
            }
        }
        throw Mismatch(path, target, value.GetType().Name);
    }

    private static bool IsNumber(Type t) => t.IsPrimitive && t != typeof(bool) && t != typeof(char) && t != typeof(IntPtr) && t != typeof(UIntPtr) || t == typeof(decimal);

    private static StateMigrationException Mismatch(string path, Type target, string actual) =>
        new(StateMigrationError.TypeMismatch, path, $"cannot convert {actual} to {target.Name}");

    private enum Lookup
    {
        Public,
        NonPublicOnly,
        Missing,
    }

    /// <summary>Finds the entry for a target member: exact public name, else a public one ignoring case, else a non-public one.</summary>
    private static Lookup Find(StateTerm term, string name, out object? value)
    {
        if (term.TryGetValue(name, out value) && !term.IsNonPublic(name)) return Lookup.Public;
        string? nonPublic = term.ContainsKey(name) ? name : null;
        string? match = null;
        foreach (var key in term.Keys)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && !string.Equals(key.TrimStart('_'), name, StringComparison.OrdinalIgnoreCase)) continue;
            if (term.IsNonPublic(key)) nonPublic ??= key;
            else if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) match ??= key;
        }
        if (match is not null)
        {
            value = term[match];
            return Lookup.Public;
        }
        value = nonPublic is null ? null : term[nonPublic];
        return nonPublic is null ? Lookup.Missing : Lookup.NonPublicOnly;
    }

    /// <summary>The value for a member the target needs, or a typed failure (strict); null and false when absent (lenient).</summary>
    private static bool Require(StateTerm term, string member, StateMapping mapping, string path, out object? value)
    {
        switch (Find(term, member, out value))
        {
            case Lookup.Public:
                return true;
            case Lookup.NonPublicOnly when mapping == StateMapping.Lenient:
                return true;
            case Lookup.NonPublicOnly:
                throw new StateMigrationException(StateMigrationError.NonPublicMember, Join(path, member), $"{term.TypeName} has {member} only as a non-public field");
            default:
                if (mapping == StateMapping.Lenient) return false;
                throw new StateMigrationException(StateMigrationError.MissingMember, Join(path, member), $"{term.TypeName} has no member {member}");
        }
    }

    private static string Join(string path, string member) => path.Length == 0 ? member : $"{path}.{member}";

    private static object Construct(StateTerm term, Type target, StateMapping mapping, string path, int depth)
    {
        if (target.IsAbstract || target.IsInterface) throw new StateMigrationException(StateMigrationError.NotConstructible, path, $"{target.Name} is abstract: map onto a concrete type");
        var ctors = target.GetConstructors().OrderByDescending(c => c.GetParameters().Length).ToArray();
        var ctor = ctors.FirstOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue || Find(term, p.Name!, out _) == Lookup.Public))
            ?? ctors.FirstOrDefault(c => c.GetParameters().Length == 0)
            ?? (mapping == StateMapping.Lenient ? ctors.FirstOrDefault() : null);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        object instance;
        if (ctor is null)
        {
            // Strict, and no constructor can be satisfied: name what the widest one lacks.
            var widest = ctors.FirstOrDefault() ?? throw new StateMigrationException(StateMigrationError.NotConstructible, path, $"{target.Name} has no public constructor");
            foreach (var p in widest.GetParameters()) Require(term, p.Name!, mapping, path, out _);
            throw new StateMigrationException(StateMigrationError.NotConstructible, path, $"no constructor of {target.Name} fits {term.TypeName}");
        }
        var args = ctor.GetParameters().Select(p =>
        {
            used.Add(p.Name!);
            if (Find(term, p.Name!, out var v) != Lookup.Public && p.HasDefaultValue) return p.DefaultValue;
            return Require(term, p.Name!, mapping, path, out v) ? ConvertTo(v, p.ParameterType, mapping, Join(path, p.Name!), depth + 1) : Default(p.ParameterType);
        }).ToArray();
        instance = ctor.Invoke(args);
        foreach (var p in target.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is not { IsPublic: true } || p.GetIndexParameters().Length > 0 || used.Contains(p.Name)) continue;
            used.Add(p.Name);
            if (Require(term, p.Name, mapping, path, out var v)) p.SetValue(instance, ConvertTo(v, p.PropertyType, mapping, Join(path, p.Name), depth + 1));
        }
        foreach (var f in target.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (f.IsInitOnly || used.Contains(f.Name)) continue;
            used.Add(f.Name);
            if (Require(term, f.Name, mapping, path, out var v)) f.SetValue(instance, ConvertTo(v, f.FieldType, mapping, Join(path, f.Name), depth + 1));
        }
        // Non-public state travels to a non-public field of the same name (or an auto-property's hidden field).
        foreach (var key in term.NonPublicKeys)
        {
            if (used.Contains(key) || FieldNamed(target, key) is not { } field) continue;
            field.SetValue(instance, ConvertTo(term[key], field.FieldType, mapping, Join(path, key), depth + 1));
        }
        return instance;
    }

    private static FieldInfo? FieldNamed(Type type, string key)
    {
        for (var c = type; c is not null && c != typeof(object); c = c.BaseType)
        {
            var f = c.GetField(key, BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                ?? c.GetField($"<{key}>k__BackingField", BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly);
            if (f is not null) return f;
        }
        return null;
    }

    private static object? Default(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private static bool TryList(IEnumerable list, Type target, StateMapping mapping, string path, int depth, out object? result)
    {
        result = null;
        var element = target.IsArray ? target.GetElementType()
            : target.IsGenericType && target.GetGenericArguments().Length == 1 ? target.GetGenericArguments()[0] : null;
        if (element is null) return false;
        var items = new List<object?>();
        var i = 0;
        foreach (var item in list) items.Add(ConvertTo(item, element, mapping, $"{path}[{i++}]", depth + 1));
        if (target.IsArray)
        {
            var array = Array.CreateInstance(element, items.Count);
            for (var j = 0; j < items.Count; j++) array.SetValue(items[j], j);
            result = array;
            return true;
        }
        var concrete = target.IsInterface ? typeof(List<>).MakeGenericType(element) : target;
        if (!target.IsAssignableFrom(concrete) || concrete.GetConstructor(Type.EmptyTypes) is null) return false;
        var collection = Activator.CreateInstance(concrete)!;
        if (collection is IList ilist)
        {
            foreach (var item in items) ilist.Add(item);
        }
        else if (concrete.GetMethod("Add", [element]) is { } add)
        {
            foreach (var item in items) add.Invoke(collection, [item]);
        }
        else
        {
            return false;
        }
        result = collection;
        return true;
    }

    private static bool TryDictionary(IDictionary map, Type target, StateMapping mapping, string path, int depth, out object? result)
    {
        result = null;
        if (!target.IsGenericType || target.GetGenericArguments().Length != 2) return false;
        var args = target.GetGenericArguments();
        var concrete = target.IsInterface ? typeof(Dictionary<,>).MakeGenericType(args) : target;
        if (!target.IsAssignableFrom(concrete) || Activator.CreateInstance(concrete) is not IDictionary dict) return false;
        foreach (DictionaryEntry entry in map)
        {
            var at = $"{path}[{entry.Key}]";
            dict[ConvertTo(entry.Key, args[0], mapping, at, depth + 1)!] = ConvertTo(entry.Value, args[1], mapping, at, depth + 1);
        }
        result = dict;
        return true;
    }
}
