using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Otp.Net.Processes;

namespace Otp.Net.Terms;

/// <summary>
/// Prints values in Erlang term syntax with no blanks: atoms (quoted where needed), integers,
/// tuples <c>{A,B}</c>, lists <c>[A,B]</c>, pids, references and exit reasons.
/// </summary>
public static class TermFormatter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch",
        "cond", "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
    };

    /// <summary>Formats <paramref name="value"/>; <paramref name="pid"/> (optional) prints pids and <paramref name="reference"/> references.</summary>
    public static string Format(object? value, Func<Pid, string>? pid = null, Func<Ref, string>? reference = null)
    {
        var sb = new StringBuilder();
        Append(sb, value, pid, reference);
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="name"/> prints as a bare atom (no quotes).</summary>
    public static bool IsBareAtom(string name)
    {
        if (name.Length == 0 || name[0] < 'a' || name[0] > 'z') return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '@')) return false;
        }
        return !Reserved.Contains(name);
    }

    private static void Append(StringBuilder sb, object? value, Func<Pid, string>? pid, Func<Ref, string>? reference)
    {
        switch (value)
        {
            case null:
                sb.Append("undefined");
                break;
            case Atom a:
                AppendAtom(sb, a.Name);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case int or long or short or byte or sbyte or ushort or uint or ulong:
                sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case string s:
                sb.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case Pid p:
                sb.Append(pid is null ? p.ToString() : pid(p));
                break;
            case Ref r:
                sb.Append(reference is null ? r.ToString() : reference(r));
                break;
            case ExitReason reason:
                Append(sb, reason.ToTerm(), pid, reference);
                break;
            case ITermConvertible convertible:
                Append(sb, convertible.ToTerm(), pid, reference);
                break;
            case Exception ex:
                sb.Append('{');
                AppendAtom(sb, ex.GetType().FullName ?? ex.GetType().Name);
                sb.Append(',');
                Append(sb, ex.Message, pid, reference);
                sb.Append('}');
                break;
            case ITuple t:
                sb.Append('{');
                for (var i = 0; i < t.Length; i++)
                {
                    if (i > 0) sb.Append(',');
                    Append(sb, t[i], pid, reference);
                }
                sb.Append('}');
                break;
            case IEnumerable e:
                sb.Append('[');
                var first = true;
                foreach (var item in e)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Append(sb, item, pid, reference);
                }
                sb.Append(']');
                break;
            default:
                sb.Append(value);
                break;
        }
    }

    private static void AppendAtom(StringBuilder sb, string name)
    {
        if (IsBareAtom(name))
        {
            sb.Append(name);
            return;
        }
        sb.Append('\'');
        foreach (var c in name)
        {
            if (c is '\'' or '\\') sb.Append('\\');
            sb.Append(c);
        }
        sb.Append('\'');
    }
}
