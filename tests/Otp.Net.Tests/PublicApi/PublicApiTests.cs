using System.Reflection;
using System.Text;

namespace Otp.Net.Tests.PublicApi;

/// <summary>
/// The public surface of the libraries, approved as text: a change to it fails this test until the approved file is
/// updated on purpose (the received listing is written beside it).
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData(typeof(Node), "OtpDotNet")]
    [InlineData(typeof(Otp.Net.Hosting.OtpBuilder), "OtpDotNet.Hosting")]
    [InlineData(typeof(TestProbe), "OtpDotNet.TestKit")]
    [InlineData(typeof(Otp.Net.Dashboard.OtpDashboardOptions), "OtpDotNet.Dashboard")]
    [InlineData(typeof(Otp.Net.Distribution.Cluster), "OtpDotNet.Distribution")]
    [InlineData(typeof(Otp.Net.Distribution.Akka.AkkaCarrier), "OtpDotNet.Distribution.Akka")]
    public void PublicApi_MatchesApprovedListing(Type anchor, string name)
    {
        var received = Describe(anchor.Assembly);
        var dir = Path.Combine(Repository.Root, "tests", "Otp.Net.Tests", "PublicApi");
        var approvedPath = Path.Combine(dir, $"{name}.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : "";
        if (approved != received) File.WriteAllText(Path.Combine(dir, $"{name}.received.txt"), received);
        received.Should().Be(approved, $"the public API of {name} changed: review {name}.received.txt and copy it over {name}.approved.txt if intended");
    }

    private static readonly NullabilityInfoContext Nullability = new();

    private static string Describe(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(Kind(type)).Append(' ').Append(Name(type));
            var bases = new List<string>();
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) bases.Add(Name(b));
            bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
            if (bases.Count > 0) sb.Append(" : ").Append(string.Join(", ", bases));
            sb.Append('\n');
            // Public and protected members: a protected member of an unsealed public type is part of the surface.
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(IsVisible)
                .Where(m => m is not MethodInfo { IsSpecialName: true } || m.Name.StartsWith("op_", StringComparison.Ordinal))
                .Select(m => (IsProtected(m) ? "protected " : "") + Member(m))
                .Order(StringComparer.Ordinal);
            foreach (var m in members) sb.Append("  ").Append(m).Append('\n');
        }
        return sb.ToString();
    }

    private static bool IsVisible(MemberInfo m) => m switch
    {
        MethodBase mb => mb.IsPublic || mb.IsFamily || mb.IsFamilyOrAssembly,
        PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly),
        FieldInfo f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly,
        EventInfo e => e.AddMethod is { } add && (add.IsPublic || add.IsFamily || add.IsFamilyOrAssembly),
        Type t => t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem,
        _ => false,
    };

    private static bool IsProtected(MemberInfo m) => m switch
    {
        MethodBase mb => !mb.IsPublic,
        PropertyInfo p => !p.GetAccessors(nonPublic: true).Any(a => a.IsPublic),
        FieldInfo f => !f.IsPublic,
        EventInfo e => e.AddMethod is { IsPublic: false },
        Type t => !t.IsNestedPublic,
        _ => false,
    };

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Name(Type t)
    {
        if (!t.IsGenericType) return t.FullName ?? t.Name;
        var name = (t.FullName ?? t.Name).Split('`')[0];
        return $"{name}<{string.Join(",", t.GetGenericArguments().Select(a => a.IsGenericParameter ? a.Name : Name(a)))}>";
    }

    /// <summary>A type with its nullable-reference annotations (<c>string?</c>, <c>Task&lt;object?&gt;</c>).</summary>
    private static string Name(Type t, NullabilityInfo info)
    {
        if (t.IsByRef) return Name(t.GetElementType()!, info.ElementType ?? info) + "&";
        if (t.IsArray) return Name(t.GetElementType()!, info.ElementType!) + "[]" + Mark(t, info);
        if (!t.IsGenericType || Nullable.GetUnderlyingType(t) is not null) return Name(t) + Mark(t, info);
        var name = (t.FullName ?? t.Name).Split('`')[0];
        var args = t.GetGenericArguments();
        var parts = args.Select((a, i) => a.IsGenericParameter ? a.Name + (i < info.GenericTypeArguments.Length ? Mark(a, info.GenericTypeArguments[i]) : "")
            : i < info.GenericTypeArguments.Length ? Name(a, info.GenericTypeArguments[i]) : Name(a));
        return $"{name}<{string.Join(",", parts)}>{Mark(t, info)}";
    }

    private static string Mark(Type t, NullabilityInfo info) =>
        !t.IsValueType && !t.IsGenericParameter && info.ReadState == NullabilityState.Nullable ? "?" : "";

    private static string Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"ctor({Params(c)})",
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{(mi.IsAbstract && !mi.DeclaringType!.IsInterface ? "abstract " : mi.IsVirtual && !mi.IsFinal && !mi.DeclaringType!.IsInterface ? "virtual " : "")}{Name(mi.ReturnType, Nullability.Create(mi.ReturnParameter))} {mi.Name}{(mi.IsGenericMethod ? $"<{string.Join(",", mi.GetGenericArguments().Select(a => a.Name))}>" : "")}({Params(mi)})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType, Nullability.Create(p))} {p.Name} {{{(p.CanRead ? " get;" : "")}{(p.SetMethod is { } set && (set.IsPublic || set.IsFamily) ? (IsInit(set) ? " init;" : " set;") : "")} }}",
        FieldInfo f => $"{(f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{(f.IsLiteral ? "const " : "")}{Name(f.FieldType, Nullability.Create(f))} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => m.ToString() ?? m.Name,
    };

    private static bool IsInit(MethodInfo set) =>
        set.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Params(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
        $"{(p.GetCustomAttribute<ParamArrayAttribute>() is not null ? "params " : "")}{Name(p.ParameterType, Nullability.Create(p))} {p.Name}{Default(p)}"));

    private static string Default(ParameterInfo p)
    {
        if (!p.HasDefaultValue) return "";
        return p.DefaultValue switch
        {
            null => p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? " = default" : " = null",
            string s => $" = \"{s}\"",
            bool b => b ? " = true" : " = false",
            Enum e => $" = {e.GetType().Name}.{e}",
            IFormattable f => $" = {f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}",
            var v => $" = {v}",
        };
    }

}
