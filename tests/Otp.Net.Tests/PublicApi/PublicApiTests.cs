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
    public void PublicApi_MatchesApprovedListing(Type anchor, string name)
    {
        var received = Describe(anchor.Assembly);
        var dir = Path.Combine(FindRoot(), "tests", "Otp.Net.Tests", "PublicApi");
        var approvedPath = Path.Combine(dir, $"{name}.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath) : "";
        if (approved != received) File.WriteAllText(Path.Combine(dir, $"{name}.received.txt"), received);
        received.Should().Be(approved, $"the public API of {name} changed: review {name}.received.txt and copy it over {name}.approved.txt if intended");
    }

    private static string Describe(Assembly assembly)
    {
        var sb = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(Kind(type)).Append(' ').Append(Name(type));
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) sb.Append(" : ").Append(Name(b));
            sb.Append('\n');
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true } || m.Name.StartsWith("op_", StringComparison.Ordinal))
                .Select(Member)
                .Order(StringComparer.Ordinal);
            foreach (var m in members) sb.Append("  ").Append(m).Append('\n');
        }
        return sb.ToString();
    }

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";

    private static string Name(Type t)
    {
        if (!t.IsGenericType) return t.FullName ?? t.Name;
        var name = (t.FullName ?? t.Name).Split('`')[0];
        return $"{name}<{string.Join(",", t.GetGenericArguments().Select(a => a.IsGenericParameter ? a.Name : Name(a)))}>";
    }

    private static string Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"ctor({Params(c)})",
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{(mi.IsGenericMethod ? $"<{string.Join(",", mi.GetGenericArguments().Select(a => a.Name))}>" : "")}({Params(mi)})",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{{(p.CanRead ? " get;" : "")}{(p.SetMethod is { IsPublic: true } ? " set;" : "")} }}",
        FieldInfo f => $"{(f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => m.ToString() ?? m.Name,
    };

    private static string Params(MethodBase m) => string.Join(", ", m.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Otp.Net.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Otp.Net.sln not found");
    }
}
