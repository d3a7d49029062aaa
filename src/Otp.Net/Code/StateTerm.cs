using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Otp.Net.Code;

/// <summary>
/// A process's old state in a neutral form: what a new module version's <c>CodeChange</c> receives when the old
/// state's type belongs to the old version's assembly. It holds only framework and BCL values (numbers, strings,
/// lists, maps, nested <see cref="StateTerm"/>s), so no old type escapes into new code and the old version can be
/// unloaded. Read it by field, or map it onto a record of the old shape that the new version declares:
/// <code>var old = ((StateTerm)oldState).As&lt;CounterStateV1&gt;();</code>
/// </summary>
public sealed class StateTerm : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _fields;

    internal StateTerm(string typeName, Dictionary<string, object?> fields)
    {
        TypeName = typeName;
        _fields = fields;
    }

    /// <summary>The full name of the old state's type.</summary>
    public string TypeName { get; }

    /// <inheritdoc />
    public object? this[string key] => _fields[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _fields.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _fields.Values;

    /// <inheritdoc />
    public int Count => _fields.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _fields.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _fields.TryGetValue(key, out value);

    /// <summary>The field <paramref name="name"/> converted to <typeparamref name="T"/>.</summary>
    public T Get<T>(string name) => (T)StateTerms.ConvertTo(_fields[name], typeof(T))!;

    /// <summary>
    /// Maps the fields onto <typeparamref name="T"/> (typically a record of the old shape declared in the new version):
    /// constructor parameters and settable properties are matched by name, ignoring case; nested states, lists and
    /// maps are converted recursively.
    /// </summary>
    public T As<T>() => (T)StateTerms.ConvertTo(this, typeof(T))!;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() =>
        $"{TypeName} {{ {string.Join(", ", _fields.Select(kv => $"{kv.Key} = {kv.Value}"))} }}";
}

/// <summary>Conversions between module-typed values and neutral terms.</summary>
internal static class StateTerms
{
    private static readonly ConditionalWeakTable<Type, MemberInfo[]> Members = new();

    /// <summary>Whether <paramref name="type"/> comes from a module version's (collectible) load context.</summary>
    public static bool IsModuleType(Type type) =>
        type.Assembly.IsCollectible || (type.IsGenericType && type.GetGenericArguments().Any(IsModuleType)) || (type.IsArray && IsModuleType(type.GetElementType()!));

    /// <summary>Turns a value into neutral form: module objects become <see cref="StateTerm"/>s, collections are copied.</summary>
    public static object? Neutralize(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string or Terms.Atom or Processes.Pid or Terms.Ref or Processes.ExitReason:
                return value;
            case Enum e when e.GetType().Assembly.IsCollectible:
                return e.ToString();
            case Enum or IConvertible or Guid or TimeSpan or DateTimeOffset:
                return value;
            case IDictionary map:
                var dict = new Dictionary<object, object?>();
                foreach (DictionaryEntry entry in map) dict[Neutralize(entry.Key)!] = Neutralize(entry.Value);
                return dict;
            case IEnumerable items:
                return items.Cast<object?>().Select(Neutralize).ToList();
        }
        var type = value.GetType();
        if (!IsModuleType(type)) return value;
        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var member in MembersOf(type))
        {
            fields[member.Name] = Neutralize(member is PropertyInfo p ? p.GetValue(value) : ((FieldInfo)member).GetValue(value));
        }
        return new StateTerm(type.FullName ?? type.Name, fields);
    }

    private static MemberInfo[] MembersOf(Type type) => Members.GetValue(type, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract").Cast<MemberInfo>()
            .Concat(t.GetFields(BindingFlags.Public | BindingFlags.Instance))
            .ToArray());

    /// <summary>Converts a neutral value to <paramref name="target"/>.</summary>
    public static object? ConvertTo(object? value, Type target)
    {
        if (value is null) return target.IsValueType ? Activator.CreateInstance(target) : null;
        if (target.IsInstanceOfType(value)) return value;
        var underlying = Nullable.GetUnderlyingType(target);
        if (underlying is not null) return ConvertTo(value, underlying);
        if (target.IsEnum) return value is string s ? Enum.Parse(target, s) : Enum.ToObject(target, value);
        if (value is StateTerm term) return Construct(term, target);
        if (value is IDictionary<object, object?> map && TryDictionary(map, target, out var d)) return d;
        if (value is IEnumerable<object?> list && value is not string && TryList(list, target, out var l)) return l;
        if (value is IConvertible && typeof(IConvertible).IsAssignableFrom(target)) return Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        throw new InvalidCastException($"cannot convert {value.GetType().Name} to {target.Name}");
    }

    private static object Construct(StateTerm term, Type target)
    {
        var ctor = target.GetConstructors().OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault(c => c.GetParameters().All(p => term.ContainsKey(p.Name!) || p.HasDefaultValue));
        object instance;
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (ctor is not null)
        {
            var args = ctor.GetParameters().Select(p =>
            {
                if (!term.TryGetValue(p.Name!, out var v)) return p.DefaultValue;
                used.Add(p.Name!);
                return ConvertTo(v, p.ParameterType);
            }).ToArray();
            instance = ctor.Invoke(args);
        }
        else
        {
            instance = Activator.CreateInstance(target) ?? throw new InvalidCastException($"cannot create {target.Name}");
        }
        foreach (var p in target.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && !used.Contains(p.Name)))
        {
            if (term.TryGetValue(p.Name, out var v)) p.SetValue(instance, ConvertTo(v, p.PropertyType));
        }
        return instance;
    }

    private static bool TryList(IEnumerable<object?> list, Type target, out object? result)
    {
        var element = target.IsArray ? target.GetElementType()
            : target.IsGenericType ? target.GetGenericArguments()[0] : null;
        result = null;
        if (element is null) return false;
        var items = list.Select(i => ConvertTo(i, element)).ToList();
        if (target.IsArray)
        {
            var array = Array.CreateInstance(element, items.Count);
            for (var i = 0; i < items.Count; i++) array.SetValue(items[i], i);
            result = array;
            return true;
        }
        var concrete = target.IsInterface ? typeof(List<>).MakeGenericType(element) : target;
        var collection = (IList)Activator.CreateInstance(concrete)!;
        foreach (var i in items) collection.Add(i);
        result = collection;
        return true;
    }

    private static bool TryDictionary(IDictionary<object, object?> map, Type target, out object? result)
    {
        result = null;
        if (!target.IsGenericType || target.GetGenericArguments().Length != 2) return false;
        var args = target.GetGenericArguments();
        var concrete = target.IsInterface ? typeof(Dictionary<,>).MakeGenericType(args) : target;
        var dict = (IDictionary)Activator.CreateInstance(concrete)!;
        foreach (var (k, v) in map) dict[ConvertTo(k, args[0])!] = ConvertTo(v, args[1]);
        result = dict;
        return true;
    }
}
