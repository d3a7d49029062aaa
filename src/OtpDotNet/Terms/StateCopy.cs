using System.Reflection;
using System.Runtime.CompilerServices;

namespace Otp.Net.Terms;

/// <summary>
/// A deep copy of a process state for a dry run (a rehearsed code change), so that code run on the copy cannot change the
/// state it came from. Data is copied field by field with the same types: objects of module versions, objects of the
/// application's own (shared) assemblies, framework collections, arrays, tuples and terms. Everything else is shared:
/// immutable scalars, delegates, reflection objects and the framework's other objects (processes, nodes, tasks, streams,
/// loggers), which a state only refers to. Shared references and cycles keep their shape. Keys compared by identity lose
/// it (their copies hash differently), which only a dry run tolerates. Throws a <see cref="StateMigrationException"/>
/// (<see cref="StateMigrationError.TooLarge"/>) past <see cref="StateTerm.MaxObjects"/> objects.
/// </summary>
internal static class StateCopy
{
    private static readonly Func<object, object> ShallowClone = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>), null, typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!);

    private static readonly ConditionalWeakTable<Type, FieldInfo[]> Plans = new();

    private static readonly Assembly Library = typeof(StateCopy).Assembly;

    /// <summary>A copy of <paramref name="value"/> that shares nothing mutable of the data it holds.</summary>
    public static object? Copy(object? value) => new Copier(StateTerm.MaxObjects).Visit(value);

    /// <summary>Whether objects of <paramref name="type"/> are copied (data) rather than shared.</summary>
    private static bool IsData(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || type == typeof(string) || type == typeof(decimal)) return false;
        if (type.IsArray) return true;
        if (typeof(Delegate).IsAssignableFrom(type) || typeof(MemberInfo).IsAssignableFrom(type) || typeof(Assembly).IsAssignableFrom(type)) return false;
        var assembly = type.Assembly;
        if (assembly.IsCollectible) return true; // a module version's object
        var ns = type.Namespace ?? "";
        if (assembly == Library) return ns == "Otp.Net.Terms" && type != typeof(Atom) && type != typeof(Ref);
        if (!IsFramework(assembly)) return !typeof(IOpaqueTerm).IsAssignableFrom(type); // the application's own data
        if (ns.StartsWith("System.Collections", StringComparison.Ordinal)) return true;
        return ns == "System" && (type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal) || type.Name.StartsWith("Tuple`", StringComparison.Ordinal));
    }

    private static bool IsFramework(Assembly assembly)
    {
        var name = assembly.GetName().Name ?? "";
        return name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft", StringComparison.Ordinal)
            || name.StartsWith("OtpDotNet", StringComparison.Ordinal) || name is "mscorlib" or "netstandard";
    }

    /// <summary>The instance fields of <paramref name="type"/> (base types included) that may hold something to copy.</summary>
    private static FieldInfo[] PlanOf(Type type) => Plans.GetValue(type, static t =>
    {
        var fields = new List<FieldInfo>();
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            foreach (var f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var ft = f.FieldType;
                if (ft.IsPrimitive || ft.IsEnum || ft.IsPointer || ft.IsByRefLike || ft == typeof(string) || ft == typeof(decimal)) continue;
                fields.Add(f);
            }
        }
        return fields.ToArray();
    });

    private sealed class Copier(int maxObjects)
    {
        private readonly Dictionary<object, object> _done = new(ReferenceEqualityComparer.Instance);
        private int _objects;

        public object? Visit(object? value)
        {
            if (value is null) return null;
            var type = value.GetType();
            if (!IsData(type)) return value;
            var byReference = !type.IsValueType;
            if (byReference && _done.TryGetValue(value, out var known)) return known;
            if (++_objects > maxObjects) throw new StateMigrationException(StateMigrationError.TooLarge, "", $"more than {maxObjects} objects to copy");
            if (value is Array array)
            {
                var copy = (Array)array.Clone();
                _done[value] = copy;
                var element = type.GetElementType()!;
                if (array.Rank == 1 && !element.IsPrimitive && !element.IsEnum && element != typeof(string))
                {
                    for (var i = 0; i < copy.Length; i++)
                    {
                        var item = copy.GetValue(i);
                        var itemCopy = Visit(item);
                        if (!ReferenceEquals(item, itemCopy)) copy.SetValue(itemCopy, i);
                    }
                }
                return copy;
            }
            // A boxed struct's clone is a new box: its fields are set on that box.
            var clone = ShallowClone(value);
            if (byReference) _done[value] = clone;
            foreach (var field in PlanOf(type))
            {
                var part = field.GetValue(clone);
                var partCopy = Visit(part);
                if (!ReferenceEquals(part, partCopy)) field.SetValue(clone, partCopy);
            }
            return clone;
        }
    }
}
