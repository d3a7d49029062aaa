using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Otp.Net.Terms;

/// <summary>
/// A bounded, iterative walk over an object graph that looks for objects (or types, members and delegates) of a
/// module version: what would keep that version's load context alive. It reads fields only, so it never runs user
/// code (no enumerator, no property getter), follows each object once (cycles end), and gives up after a budget of
/// objects (the answer is then <see cref="Found.Unknown"/>). Fields whose declared type cannot hold a reference to
/// a module object (numbers, strings, arrays of them, structs of them) are skipped, so large arrays of plain data
/// cost nothing.
/// </summary>
internal static class ObjectGraph
{
    /// <summary>The default number of objects a walk may visit.</summary>
    public const int DefaultBudget = 100_000;

    private static readonly ConditionalWeakTable<Type, FieldInfo[]> Plans = new();
    private static readonly ConditionalWeakTable<Type, StrongBox<bool>> MayHoldCache = new();

    [ThreadStatic]
    private static HashSet<Type>? t_examining;

    /// <summary>The answer of a walk.</summary>
    public enum Found
    {
        /// <summary>No object of the version is reachable.</summary>
        None,

        /// <summary>One is.</summary>
        Yes,

        /// <summary>The budget ran out first.</summary>
        Unknown,
    }

    /// <summary>
    /// Whether <paramref name="root"/> reaches an object whose type belongs to <paramref name="context"/> (to any
    /// collectible context when null). <paramref name="what"/> names the first such type found.
    /// </summary>
    public static Found Reaches(object? root, AssemblyLoadContext? context, out string? what, int budget = DefaultBudget)
    {
        what = null;
        if (root is null) return Found.None;
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            var type = value.GetType();
            if (Belongs(type, context))
            {
                what = type.FullName ?? type.Name;
                return Found.Yes;
            }
            if (!type.IsValueType && !visited.Add(value)) continue;
            if (--budget < 0) return Found.Unknown;
            switch (value)
            {
                case string:
                case IRuntimeHandle:
                    continue;
                case CancellationTokenSource:
                    // A token in a state is a signal, not data: its registrations are whoever waits on it (the process's
                    // own receive, a socket's pending read), and they reach the runtime, not the state's objects.
                    continue;
                case System.Net.Sockets.Socket or System.Runtime.InteropServices.SafeHandle or ExecutionContext or Thread:
                    // Handles to the operating system and the runtime (a port, in OTP's terms): what they reach is their
                    // pending operations and the runtime's own tables, never the state's data.
                    continue;
                case var _ when type.DeclaringType == typeof(CancellationTokenSource):
                    // A registration held in a state (a pending read's) links to the token's other registrations: the
                    // process's own waits, which reach the old module instance. The same signal as the token above.
                    continue;
                case Type t:
                    if (!Belongs(t, context)) continue;
                    what = t.FullName ?? t.Name;
                    return Found.Yes;
                case MemberInfo m:
                    if (m.Module.Assembly is not { IsCollectible: true } owner || !InContext(owner, context)) continue;
                    what = $"{m.DeclaringType?.FullName}.{m.Name}";
                    return Found.Yes;
                case Assembly assembly:
                    if (!assembly.IsCollectible || !InContext(assembly, context)) continue;
                    what = assembly.FullName;
                    return Found.Yes;
                case AssemblyLoadContext:
                    continue;
                case Delegate d:
                    foreach (var single in d.GetInvocationList())
                    {
                        if (single.Method.DeclaringType is { } declaring && Belongs(declaring, context))
                        {
                            what = $"{declaring.FullName}.{single.Method.Name}";
                            return Found.Yes;
                        }
                        if (single.Target is { } target) pending.Push(target);
                    }
                    continue;
                case Array array:
                    if (!MayHold(type.GetElementType()!)) continue;
                    foreach (var item in array)
                    {
                        if (item is not null) pending.Push(item);
                    }
                    continue;
            }
            foreach (var field in PlanOf(type))
            {
                if (field.GetValue(value) is { } child) pending.Push(child);
            }
        }
        return Found.None;
    }

    /// <summary>Whether <paramref name="type"/> (or a type argument or element type of it) comes from <paramref name="context"/> (any collectible one when null).</summary>
    public static bool Belongs(Type type, AssemblyLoadContext? context)
    {
        if (type.Assembly.IsCollectible && InContext(type.Assembly, context)) return true;
        if (type.HasElementType) return Belongs(type.GetElementType()!, context);
        if (type.IsConstructedGenericType)
        {
            foreach (var argument in type.GenericTypeArguments)
            {
                if (Belongs(argument, context)) return true;
            }
        }
        return false;
    }

    private static bool InContext(Assembly assembly, AssemblyLoadContext? context) =>
        context is null || AssemblyLoadContext.GetLoadContext(assembly) == context;

    /// <summary>The instance fields of <paramref name="type"/> (all visibilities, base types included) that may hold a module object.</summary>
    private static FieldInfo[] PlanOf(Type type) => Plans.GetValue(type, static t =>
    {
        var fields = new List<FieldInfo>();
        for (var c = t; c is not null && c != typeof(object); c = c.BaseType)
        {
            foreach (var f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (MayHold(f.FieldType)) fields.Add(f);
            }
        }
        return fields.ToArray();
    });

    /// <summary>
    /// Whether a location of declared type <paramref name="type"/> can hold a reference to a module object: anything
    /// but primitives, enums, strings, pointers, and sealed types or structs whose own fields cannot.
    /// </summary>
    private static bool MayHold(Type type)
    {
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsFunctionPointer || type == typeof(string) || type == typeof(decimal)) return false;
        if (type.IsArray) return MayHold(type.GetElementType()!);
        if (type.Assembly.IsCollectible || type.IsByRefLike) return !type.IsByRefLike;
        if (!type.IsValueType && !type.IsSealed) return true;
        if (type.IsGenericTypeDefinition || type.ContainsGenericParameters) return true;
        if (MayHoldCache.TryGetValue(type, out var known)) return known.Value;
        // A sealed class or a struct: it may hold one if one of its fields may. A type already being examined on this
        // thread counts as "no", so a self-referencing sealed type ends (its other fields decide).
        var examining = t_examining ??= new HashSet<Type>();
        if (!examining.Add(type)) return false;
        var result = false;
        try
        {
            for (var c = type; c is not null && c != typeof(object) && !result; c = c.BaseType)
            {
                foreach (var f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (!MayHold(f.FieldType)) continue;
                    result = true;
                    break;
                }
            }
        }
        finally
        {
            examining.Remove(type);
        }
        if (examining.Count == 0) MayHoldCache.AddOrUpdate(type, new StrongBox<bool>(result));
        return result;
    }
}
