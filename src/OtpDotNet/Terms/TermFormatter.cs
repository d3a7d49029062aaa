using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Otp.Net.Terms;

/// <summary>
/// Prints values in Erlang term syntax with no blanks: atoms (quoted where needed), integers, tuples <c>{A,B}</c>,
/// lists <c>[A,B]</c>, maps <c>#{K=&gt;V}</c>, pids, references and exit reasons. Output is bounded like OTP's
/// <c>~P</c>: past <see cref="MaxDepth"/> levels a subterm prints as <c>...</c>, past <see cref="MaxElements"/>
/// elements a list ends in <c>|...]</c> (a tuple or map in <c>,...</c>), and past <see cref="MaxLength"/> characters
/// the text stops with <c>...</c>. So any object graph, cyclic or huge, prints in bounded time and space.
/// </summary>
public static class TermFormatter
{
    /// <summary>The depth past which a subterm prints as <c>...</c>.</summary>
    public const int MaxDepth = 40;

    /// <summary>The number of elements of a list, tuple or map printed before the rest is cut.</summary>
    public const int MaxElements = 1_000;

    /// <summary>The length, in characters, past which the text is cut.</summary>
    public const int MaxLength = 64 * 1024;

    private const string Ellipsis = "...";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch",
        "cond", "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
    };

    /// <summary>
    /// Formats <paramref name="value"/>. <paramref name="render"/> (optional) is asked first for every non-null value
    /// and subterm, a pid or a reference for instance: the text it returns is printed in place of the value, and
    /// <see langword="null"/> keeps the default rendering.
    /// </summary>
    public static string Format(object? value, Func<object, string?>? render = null) =>
        Format(value, MaxDepth, MaxLength, render);

    /// <summary>
    /// Formats <paramref name="value"/> within <paramref name="maxDepth"/> levels and about <paramref name="maxLength"/>
    /// characters; <paramref name="render"/> as in <see cref="Format(object?, Func{object, string?}?)"/>.
    /// </summary>
    public static string Format(object? value, int maxDepth, int maxLength, Func<object, string?>? render = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        var writer = new Writer(new StringBuilder(), maxDepth, maxLength, render);
        writer.Append(value, 0);
        return writer.Text;
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

    // Weak keys: record types of collectible module versions are not kept loaded by this cache.
    private static readonly ConditionalWeakTable<Type, PropertyInfo[]> RecordShapes = new();
    private static readonly PropertyInfo[] NotARecord = [];

    private sealed class Writer(StringBuilder sb, int maxDepth, int maxLength, Func<object, string?>? render)
    {
        private bool _full;

        public string Text => sb.ToString();

        /// <summary>Writes text, cutting it (and everything after it) once the length limit is reached.</summary>
        private void Write(string text)
        {
            if (_full) return;
            var room = maxLength - sb.Length;
            if (text.Length <= room)
            {
                sb.Append(text);
                return;
            }
            sb.Append(text, 0, Math.Max(0, room)).Append(Ellipsis);
            _full = true;
        }

        private void Write(char c)
        {
            if (_full) return;
            if (sb.Length < maxLength)
            {
                sb.Append(c);
                return;
            }
            sb.Append(Ellipsis);
            _full = true;
        }

        public void Append(object? value, int depth)
        {
            if (_full) return;
            if (depth >= maxDepth && value is not (null or Atom or bool or string) && !value.GetType().IsPrimitive)
            {
                Write(Ellipsis);
                return;
            }
            if (value is not null && render?.Invoke(value) is { } rendered)
            {
                Write(rendered);
                return;
            }
            switch (value)
            {
                case null:
                    Write("undefined");
                    break;
                case Atom a:
                    WriteAtom(a.Name);
                    break;
                case bool b:
                    Write(b ? "true" : "false");
                    break;
                case int or long or short or byte or sbyte or ushort or uint or ulong:
                    Write(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                    break;
                case double d:
                    Write(d.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case string s:
                    Write('"');
                    if (s.Length > maxLength) s = s[..maxLength];
                    Write(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal));
                    Write('"');
                    break;
                case Ref r:
                    Write(r.ToString());
                    break;
                case IOpaqueTerm opaque:
                    if (opaque.TryGetPrintedTerm(out var printed)) Append(printed, depth);
                    else Write(SafeToString(value));
                    break;
                case ITermConvertible convertible:
                    Append(convertible.ToTerm(), depth + 1);
                    break;
                case Exception ex:
                    Write('{');
                    WriteAtom(ex.GetType().FullName ?? ex.GetType().Name);
                    Write(',');
                    Append(ex.Message, depth + 1);
                    Write('}');
                    break;
                case StateTerm term:
                    Write('#');
                    WriteAtom(term.TypeName);
                    Write('{');
                    Elements(term, depth, (kv, d) =>
                    {
                        WriteAtom(kv.Key);
                        Write('=');
                        Append(kv.Value, d);
                    }, list: false);
                    Write('}');
                    break;
                case ITuple t:
                    Write('{');
                    Elements(Enumerable.Range(0, t.Length).Select(i => t[i]), depth, Append, list: false);
                    Write('}');
                    break;
                case IDictionary map:
                    Write("#{");
                    Elements(Entries(map), depth, (e, d) =>
                    {
                        Append(e.Key, d);
                        Write("=>");
                        Append(e.Value, d);
                    }, list: false);
                    Write('}');
                    break;
                case IEnumerable e:
                    Write('[');
                    Elements(e.Cast<object?>(), depth, Append, list: true);
                    Write(']');
                    break;
                default:
                    if (RecordProperties(value.GetType()) is { } properties) WriteRecord(value, properties, depth);
                    else Write(SafeToString(value));
                    break;
            }
        }

        /// <summary>
        /// A C# record as its generated <c>ToString</c> prints it (<c>Name { A = 1, B = x }</c>: scalars and strings as it
        /// prints them, other members as terms within the depth and length bounds): the generated method would recurse
        /// around a cycle until the stack runs low, and print collections as their type name.
        /// </summary>
        private void WriteRecord(object value, PropertyInfo[] properties, int depth)
        {
            Write(value.GetType().Name);
            Write(" {");
            var first = true;
            foreach (var property in properties)
            {
                if (_full) return;
                Write(first ? " " : ", ");
                first = false;
                Write(property.Name);
                Write(" = ");
                object? member;
                try
                {
                    member = property.GetValue(value);
                }
                catch (Exception ex)
                {
                    Write($"<{(ex is TargetInvocationException { InnerException: { } inner } ? inner : ex).GetType().Name}>");
                    continue;
                }
                switch (member)
                {
                    case null:
                        break; // as the generated ToString prints a null member: nothing
                    case string or char or decimal or Enum or bool:
                    case var _ when member.GetType().IsPrimitive:
                        Write(SafeToString(member)); // as the generated ToString prints it (strings unquoted, True, 1.5)
                        break;
                    default:
                        Append(member, depth + 1);
                        break;
                }
            }
            Write(first ? "}" : " }");
        }

        private void Elements<T>(IEnumerable<T> items, int depth, Action<T, int> append, bool list)
        {
            try
            {
                ElementsCore(items, depth, append, list);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A collection that cannot be enumerated (changed meanwhile, or a throwing enumerator) ends here.
                Write(list ? "|<" : ",<");
                Write(ex.GetType().Name);
                Write(">");
            }
        }

        private void ElementsCore<T>(IEnumerable<T> items, int depth, Action<T, int> append, bool list)
        {
            var count = 0;
            foreach (var item in items)
            {
                if (_full) return;
                if (count == MaxElements)
                {
                    Write(list ? "|..." : ",...");
                    return;
                }
                if (count++ > 0) Write(',');
                append(item, depth + 1);
            }
        }

        private static IEnumerable<DictionaryEntry> Entries(IDictionary map)
        {
            var entries = map.GetEnumerator();
            while (entries.MoveNext()) yield return entries.Entry;
        }

        private void WriteAtom(string name)
        {
            if (IsBareAtom(name))
            {
                Write(name);
                return;
            }
            var quoted = new StringBuilder(name.Length + 2).Append('\'');
            foreach (var c in name)
            {
                if (c is '\'' or '\\') quoted.Append('\\');
                quoted.Append(c);
            }
            Write(quoted.Append('\'').ToString());
        }

        /// <summary>
        /// An object's own text. A <c>ToString</c> that throws, or that recurses into a cycle (records stop with
        /// <see cref="InsufficientExecutionStackException"/>), prints as the type's name.
        /// </summary>
        /// <summary>The public instance properties a record's generated <c>ToString</c> prints, or null if the type is no record.</summary>
        private static PropertyInfo[]? RecordProperties(Type type) => RecordShapes.GetValue(type, static t =>
        {
            var printMembers = t.GetMethod("PrintMembers", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, [typeof(StringBuilder)]);
            if (printMembers is null || !printMembers.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), inherit: false)) return NotARecord;
            return t.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetMethod!.IsPublic).ToArray();
        }) is var shape && ReferenceEquals(shape, NotARecord) ? null : shape;

        private static string SafeToString(object value)
        {
            try
            {
                return value.ToString() ?? "";
            }
            catch (Exception)
            {
                return $"<{value.GetType().FullName}>";
            }
        }
    }
}
