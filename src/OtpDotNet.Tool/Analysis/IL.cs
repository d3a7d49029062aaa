using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;

namespace Otp.Net.Tool.Analysis;

/// <summary>One IL instruction: its offset, opcode and operand (an integer, a metadata token, a float's bits, or the
/// targets of a switch).</summary>
internal readonly record struct Instruction(int Offset, OpCode OpCode, long Operand, int[]? Targets)
{
    /// <summary>The operand as a metadata token (for the token-taking opcodes).</summary>
    public int Token => (int)Operand;

    /// <summary>Whether the operand is a metadata token (or a user string token).</summary>
    public bool HasToken => OpCode.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineSig
        or OperandType.InlineString or OperandType.InlineTok or OperandType.InlineType;
}

/// <summary>Reads IL method bodies with the opcode table of <see cref="OpCodes"/> (built by reflection once).</summary>
internal static class IL
{
    private static readonly Dictionary<ushort, OpCode> Table = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(OpCode))
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => unchecked((ushort)o.Value));

    /// <summary>The instructions of <paramref name="body"/>, in order.</summary>
    /// <exception cref="ToolException">The IL holds an unknown opcode.</exception>
    public static List<Instruction> Read(MethodBodyBlock body)
    {
        var reader = body.GetILReader();
        var result = new List<Instruction>();
        while (reader.RemainingBytes > 0)
        {
            var offset = reader.Offset;
            ushort code = reader.ReadByte();
            if (code == 0xFE) code = (ushort)(0xFE00 | reader.ReadByte());
            if (!Table.TryGetValue(code, out var op)) throw new ToolException($"unknown IL opcode 0x{code:x} at offset {offset}");
            long operand = 0;
            int[]? targets = null;
            switch (op.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                    operand = reader.ReadSByte();
                    break;
                case OperandType.ShortInlineVar:
                    operand = reader.ReadByte();
                    break;
                case OperandType.InlineVar:
                    operand = reader.ReadUInt16();
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    operand = reader.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    var count = reader.ReadInt32();
                    targets = new int[count];
                    for (var i = 0; i < count; i++) targets[i] = reader.ReadInt32();
                    break;
                default: // every other operand is 4 bytes: branch targets, int32, float32, tokens
                    operand = reader.ReadInt32();
                    break;
            }
            result.Add(new Instruction(offset, op, operand, targets));
        }
        return result;
    }

    /// <summary>How many values <paramref name="op"/> pops, for the fixed-arity opcodes (-1 for variable).</summary>
    public static int Pops(OpCode op) => op.StackBehaviourPop switch
    {
        StackBehaviour.Pop0 => 0,
        StackBehaviour.Varpop => -1,
        var b => b.ToString().Split('_').Length,
    };

    /// <summary>How many values <paramref name="op"/> pushes, for the fixed-arity opcodes (-1 for variable).</summary>
    public static int Pushes(OpCode op) => op.StackBehaviourPush switch
    {
        StackBehaviour.Push0 => 0,
        StackBehaviour.Push1_push1 => 2,
        StackBehaviour.Varpush => -1,
        _ => 1,
    };
}
