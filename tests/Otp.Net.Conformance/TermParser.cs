using System.Globalization;
using Otp.Net.Terms;

namespace Otp.Net.Conformance;

/// <summary>Parses one token of Erlang term syntax: atoms (bare or quoted), integers, tuples and lists.</summary>
internal static class TermParser
{
    public static object Parse(string text)
    {
        var pos = 0;
        var term = ParseTerm(text, ref pos);
        if (pos != text.Length) throw new ScenarioException($"trailing characters in term '{text}'");
        return term;
    }

    private static object ParseTerm(string s, ref int pos)
    {
        if (pos >= s.Length) throw new ScenarioException($"unexpected end of term '{s}'");
        var c = s[pos];
        if (c == '{' || c == '[')
        {
            var close = c == '{' ? '}' : ']';
            pos++;
            var items = new List<object?>();
            if (pos < s.Length && s[pos] == close)
            {
                pos++;
            }
            else
            {
                while (true)
                {
                    items.Add(ParseTerm(s, ref pos));
                    if (pos >= s.Length) throw new ScenarioException($"unterminated term '{s}'");
                    if (s[pos] == ',')
                    {
                        pos++;
                        continue;
                    }
                    if (s[pos] == close)
                    {
                        pos++;
                        break;
                    }
                    throw new ScenarioException($"unexpected '{s[pos]}' in term '{s}'");
                }
            }
            return c == '{' ? new TermTuple(items.ToArray()) : new TermList(items.ToArray());
        }
        if (c == '\'')
        {
            pos++;
            var sb = new System.Text.StringBuilder();
            while (pos < s.Length && s[pos] != '\'')
            {
                if (s[pos] == '\\' && pos + 1 < s.Length) pos++;
                sb.Append(s[pos++]);
            }
            if (pos >= s.Length) throw new ScenarioException($"unterminated quoted atom in '{s}'");
            pos++;
            return Atom.Of(sb.ToString());
        }
        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = pos++;
            while (pos < s.Length && char.IsAsciiDigit(s[pos])) pos++;
            return long.Parse(s[start..pos], CultureInfo.InvariantCulture);
        }
        if (c >= 'a' && c <= 'z')
        {
            var start = pos;
            while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || s[pos] == '_' || s[pos] == '@')) pos++;
            return Atom.Of(s[start..pos]);
        }
        throw new ScenarioException($"cannot parse term '{s}'");
    }
}
