using System.Reflection;
using System.Reflection.Emit;
using Otp.Net.Hosting;

namespace Otp.Net.Tests.Architecture;

/// <summary>
/// The namespaces of OtpDotNet and OtpDotNet.Hosting form layers with no circles (Terms at the bottom, then Processes,
/// Timers, … up to Code). A namespace depends on another when one of its types names a type of the other anywhere in
/// the compiled assembly: base type, interfaces, generic arguments and constraints, fields, signatures, locals and IL
/// operands. The root namespace <c>Otp.Net</c> (<see cref="Node"/>, <see cref="NodeOptions"/>) is the composition
/// root: every layer may reach the node and the node wires every layer, so it is left out of the rule.
/// </summary>
public sealed class NamespaceCycleTests
{
    private const string Root = "Otp.Net";

    /// <summary>
    /// The known remaining cycle, as a namespace pair whose edges (both directions) are left out: GenServers ↔ Code
    /// (the code server reaches GenServer engines directly). Nothing may be added here; the entry goes away when that
    /// cycle is removed.
    /// </summary>
    private static readonly (string A, string B)[] KnownCycles =
    [
        ("Otp.Net.GenServers", "Otp.Net.Code"),
    ];

    private static readonly Assembly[] Assemblies = [typeof(Node).Assembly, typeof(OtpBuilder).Assembly, typeof(Otp.Net.Distribution.Cluster).Assembly];

    [Fact]
    public void Namespaces_OfTheLibraryAssemblies_FormNoCycle()
    {
        var edges = NamespaceGraph.Edges(Assemblies)
            .Where(e => e.Key.From != Root && e.Key.To != Root)
            .Where(e => !KnownCycles.Any(k => (k.A, k.B) == e.Key || (k.B, k.A) == e.Key))
            .ToDictionary(e => e.Key, e => e.Value);

        var cycles = NamespaceGraph.Cycles(edges.Keys);

        var report = cycles.Select(component =>
            "cycle among " + string.Join(", ", component) + ":" + Environment.NewLine + string.Join(Environment.NewLine,
                edges.Where(e => component.Contains(e.Key.From) && component.Contains(e.Key.To))
                    .OrderBy(e => e.Key.From, StringComparer.Ordinal).ThenBy(e => e.Key.To, StringComparer.Ordinal)
                    .Select(e => $"  {e.Key.From} -> {e.Key.To}: {string.Join("; ", e.Value)}")));
        cycles.Should().BeEmpty(string.Join(Environment.NewLine, report));
    }

    [Fact]
    public void NamespaceGraph_OfTheLibrary_SeesReferencesInSignaturesAndCode()
    {
        var edges = NamespaceGraph.Edges(Assemblies).Keys.ToHashSet();

        // The scan is not vacuous: a few dependencies the layering expects are found.
        edges.Should().Contain(("Otp.Net.Processes", "Otp.Net.Terms"));
        edges.Should().Contain(("Otp.Net.Timers", "Otp.Net.Processes"));
        edges.Should().Contain(("Otp.Net.Hosting", "Otp.Net.Supervision"));
        edges.Should().NotContain(e => e.From == e.To);
    }

    [Fact]
    public void Cycles_OfAGraph_AreItsStronglyConnectedComponentsOfMoreThanOneNamespace()
    {
        var cycles = NamespaceGraph.Cycles([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"), ("E", "D"), ("F", "A")]);

        cycles.Select(c => string.Join(",", c)).Should().BeEquivalentTo(["A,B,C", "D,E"]);
        NamespaceGraph.Cycles([("A", "B"), ("B", "C"), ("A", "C")]).Should().BeEmpty();
    }

    /// <summary>Namespace dependencies read from compiled assemblies by reflection.</summary>
    private static class NamespaceGraph
    {
        private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        private const int ExamplesPerEdge = 3;

        private static readonly Dictionary<short, OpCode> OpCodeTable = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

        /// <summary>Every namespace → namespace edge between types of <paramref name="assemblies"/>, with a few example references.</summary>
        public static Dictionary<(string From, string To), List<string>> Edges(IReadOnlyCollection<Assembly> assemblies)
        {
            var edges = new Dictionary<(string From, string To), List<string>>();
            foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
            {
                void Add(Type? target, string why) => AddEdge(edges, assemblies, type, target, why);

                Add(type.BaseType, "base");
                foreach (var i in type.GetInterfaces()) Add(i, "interface");
                if (type.IsGenericTypeDefinition)
                {
                    foreach (var p in type.GetGenericArguments())
                    {
                        foreach (var c in p.GetGenericParameterConstraints()) Add(c, "constraint");
                    }
                }
                foreach (var f in type.GetFields(Declared)) Add(f.FieldType, "field");
                foreach (var m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
                {
                    if (m is MethodInfo mi)
                    {
                        Add(mi.ReturnType, "return");
                        if (mi.IsGenericMethodDefinition)
                        {
                            foreach (var p in mi.GetGenericArguments())
                            {
                                foreach (var c in p.GetGenericParameterConstraints()) Add(c, "constraint");
                            }
                        }
                    }
                    foreach (var p in m.GetParameters()) Add(p.ParameterType, "parameter");
                    var body = m.GetMethodBody();
                    if (body is null) continue;
                    foreach (var l in body.LocalVariables) Add(l.LocalType, "local");
                    foreach (var (member, opcode) in Operands(type, m, body.GetILAsByteArray() ?? []))
                    {
                        switch (member)
                        {
                            case Type t:
                                Add(t, "il:" + opcode);
                                break;
                            case MethodInfo { IsGenericMethod: true } generic:
                                Add(generic.DeclaringType, "il:" + opcode);
                                foreach (var a in generic.GetGenericArguments()) Add(a, "il:" + opcode);
                                break;
                            default:
                                Add(member.DeclaringType, "il:" + opcode);
                                break;
                        }
                    }
                }
            }
            return edges;
        }

        /// <summary>The strongly connected components of more than one node (Tarjan), each sorted, in a stable order.</summary>
        public static List<List<string>> Cycles(IEnumerable<(string From, string To)> edges)
        {
            var next = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (from, to) in edges)
            {
                if (!next.TryGetValue(from, out var list)) next[from] = list = [];
                list.Add(to);
                next.TryAdd(to, []);
            }
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var low = new Dictionary<string, int>(StringComparer.Ordinal);
            var stack = new Stack<string>();
            var onStack = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<List<string>>();

            void Visit(string v)
            {
                index[v] = low[v] = index.Count;
                stack.Push(v);
                onStack.Add(v);
                foreach (var w in next[v])
                {
                    if (!index.TryGetValue(w, out var wIndex))
                    {
                        Visit(w);
                        low[v] = Math.Min(low[v], low[w]);
                    }
                    else if (onStack.Contains(w))
                    {
                        low[v] = Math.Min(low[v], wIndex);
                    }
                }
                if (low[v] != index[v]) return;
                var component = new List<string>();
                string x;
                do
                {
                    x = stack.Pop();
                    onStack.Remove(x);
                    component.Add(x);
                }
                while (x != v);
                if (component.Count > 1) result.Add([.. component.Order(StringComparer.Ordinal)]);
            }

            foreach (var v in next.Keys.Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(v)) Visit(v);
            }
            return [.. result.OrderBy(c => c[0], StringComparer.Ordinal)];
        }

        private static void AddEdge(Dictionary<(string From, string To), List<string>> edges, IReadOnlyCollection<Assembly> assemblies, Type from, Type? to, string why)
        {
            if (to is null) return;
            if (to.HasElementType)
            {
                AddEdge(edges, assemblies, from, to.GetElementType(), why);
                return;
            }
            if (to.IsGenericType && !to.IsGenericTypeDefinition)
            {
                foreach (var a in to.GetGenericArguments()) AddEdge(edges, assemblies, from, a, why);
                to = to.GetGenericTypeDefinition();
            }
            if (to.IsGenericParameter) return;
            var a1 = Namespace(from, assemblies);
            var b = Namespace(to, assemblies);
            if (a1 is null || b is null || a1 == b) return;
            if (!edges.TryGetValue((a1, b), out var examples)) edges[(a1, b)] = examples = [];
            if (examples.Count < ExamplesPerEdge) examples.Add($"{from.Name} -> {to.Name} ({why})");
        }

        /// <summary>The namespace of a type of <paramref name="assemblies"/> (a nested type counts as its outermost type); null otherwise.</summary>
        private static string? Namespace(Type type, IReadOnlyCollection<Assembly> assemblies)
        {
            while (type.IsNested) type = type.DeclaringType!;
            return assemblies.Contains(type.Assembly) && !string.IsNullOrEmpty(type.Namespace) ? type.Namespace : null;
        }

        /// <summary>The members and types named by the IL operands of a method body.</summary>
        private static IEnumerable<(MemberInfo Member, string OpCode)> Operands(Type type, MethodBase method, byte[] il)
        {
            var typeArguments = type.IsGenericType ? type.GetGenericArguments() : null;
            var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
            var pos = 0;
            while (pos < il.Length)
            {
                short value = il[pos++];
                if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
                var op = OpCodeTable[value];
                var size = op.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, pos)),
                    _ => 4,
                };
                if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
                {
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArguments, methodArguments);
                    if (member is not null) yield return (member, op.Name!);
                }
                pos += size;
            }
        }
    }
}
