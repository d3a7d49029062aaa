using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// The child ids a supervisor module's <c>InitAsync</c> (and its closures and state machines) gives its children,
/// found by a symbolic walk of the IL: a stack of known string literals and unknown values, where the first argument
/// of every <c>ChildSpec</c> constructor or factory (<c>ForModule</c>, <c>Template</c>, <c>ForGenServer</c>,
/// <c>ForSupervisor</c>) is the id. When an id is not a literal (computed, read from a field, from another method),
/// <see cref="Complete"/> is false: the install's rehearsal shows the ids, and the runtime reconciles the children.
/// </summary>
/// <param name="Ids">The literal ids found.</param>
/// <param name="Complete">Whether every child spec's id was a literal.</param>
internal sealed record SupervisorChildren(IReadOnlySet<string> Ids, bool Complete)
{
    private const string ChildSpecType = "Otp.Net.Supervision.ChildSpec";
    private const string ChildIdType = "Otp.Net.Supervision.ChildId";
    private static readonly object Unknown = new();

    public static SupervisorChildren Of(AssemblyImage image, ModuleInfo module)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var complete = true;
        var reader = image.Reader;
        var type = reader.GetTypeDefinition(module.Type);
        var methods = type.GetMethods().Where(m => reader.GetString(reader.GetMethodDefinition(m).Name) == "InitAsync")
            .Concat(Nested(image, module.Type).SelectMany(t => reader.GetTypeDefinition(t).GetMethods()));
        foreach (var method in methods)
        {
            var definition = reader.GetMethodDefinition(method);
            if (definition.RelativeVirtualAddress == 0) continue;
            complete &= Walk(image, image.Body(definition.RelativeVirtualAddress), ids);
        }
        return new SupervisorChildren(ids, complete);
    }

    private static IEnumerable<TypeDefinitionHandle> Nested(AssemblyImage image, TypeDefinitionHandle type)
    {
        foreach (var nested in image.Reader.GetTypeDefinition(type).GetNestedTypes())
        {
            yield return nested;
            foreach (var inner in Nested(image, nested)) yield return inner;
        }
    }

    private static bool Walk(AssemblyImage image, MethodBodyBlock body, HashSet<string> ids)
    {
        var complete = true;
        var stack = new List<object>();
        foreach (var instruction in IL.Read(body))
        {
            var op = instruction.OpCode;
            if (op == OpCodes.Ldstr)
            {
                stack.Add(image.Reader.GetUserString(MetadataTokens.UserStringHandle(instruction.Token & 0xFFFFFF)));
                continue;
            }
            if (op == OpCodes.Dup)
            {
                stack.Add(stack.Count > 0 ? stack[^1] : Unknown);
                continue;
            }
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
            {
                var (declaring, name, parameters, hasThis, returns) = Describe(image, MetadataTokens.EntityHandle(instruction.Token));
                var popped = parameters + (hasThis && op != OpCodes.Newobj ? 1 : 0);
                var args = Pop(stack, popped);
                object pushed = Unknown;
                if (declaring == ChildIdType && name == "op_Implicit" && args.Count == 1) pushed = args[0];
                if (declaring == ChildSpecType && parameters >= 1 && (op == OpCodes.Newobj ? parameters == 2 : name is "ForModule" or "Template" or "ForGenServer" or "ForSupervisor"))
                {
                    var id = args.Count == popped ? args[0] : Unknown;
                    if (id is string literal) ids.Add(literal);
                    else complete = false;
                }
                if (op == OpCodes.Newobj || returns) stack.Add(pushed);
                continue;
            }
            var pops = IL.Pops(op);
            if (pops < 0) pops = op == OpCodes.Ret ? Math.Min(1, stack.Count) : 0;
            Pop(stack, pops);
            var pushes = IL.Pushes(op);
            for (var i = 0; i < pushes; i++) stack.Add(Unknown);
            if (op.FlowControl is FlowControl.Branch or FlowControl.Return or FlowControl.Throw) stack.Clear();
        }
        return complete;
    }

    private static List<object> Pop(List<object> stack, int count)
    {
        var take = Math.Min(count, stack.Count);
        var result = stack.GetRange(stack.Count - take, take);
        stack.RemoveRange(stack.Count - take, take);
        return result;
    }

    /// <summary>A called method's declaring type, name, parameter count, whether it has <c>this</c>, and whether it returns a value.</summary>
    private static (string Declaring, string Name, int Parameters, bool HasThis, bool Returns) Describe(AssemblyImage image, EntityHandle handle)
    {
        var reader = image.Reader;
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                var sig = method.DecodeSignature(image.Sigs, null);
                return (image.Sigs.FullName(method.GetDeclaringType()), reader.GetString(method.Name), sig.ParameterTypes.Length, sig.Header.IsInstance, !IsVoid(sig.ReturnType));
            case HandleKind.MemberReference:
                var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                var msig = member.DecodeMethodSignature(image.Sigs, null);
                var parent = member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification
                    ? image.Sigs.FromHandle(member.Parent) : null;
                var declaring = parent switch { NamedSig n => n.FullName, GenericSig { Definition: NamedSig n } => n.FullName, _ => "?" };
                return (declaring, reader.GetString(member.Name), msig.ParameterTypes.Length, msig.Header.IsInstance, !IsVoid(msig.ReturnType));
            case HandleKind.MethodSpecification:
                return Describe(image, reader.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                return ("?", "?", 0, false, false);
        }
    }

    private static bool IsVoid(TypeSig sig) => sig is PrimitiveSig { Name: "void" };
}
