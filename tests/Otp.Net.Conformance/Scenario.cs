using Otp.Net.Terms;

namespace Otp.Net.Conformance;

/// <summary>A declared worker, sup or dynsup, with its options (scenario language §3).</summary>
internal sealed class Decl
{
    public required string Kind { get; init; } // worker | sup | dynsup

    public required string Name { get; init; }

    public string Strategy { get; init; } = "one_for_one";

    public Dictionary<string, object> Options { get; } = new(StringComparer.Ordinal);

    public List<Decl> Children { get; } = [];

    public object? Opt(string key) => Options.GetValueOrDefault(key);

    public long Int(string key, long def) => Options.TryGetValue(key, out var v) ? Convert.ToInt64(v) : def;

    public string Atom(string key, string def) => Options.TryGetValue(key, out var v) && v is Atom a ? a.Name : def;
}

/// <summary>A parsed scenario: declarations and actions (one token list per action line).</summary>
internal sealed class Scenario
{
    public Dictionary<string, Decl> Decls { get; } = new(StringComparer.Ordinal);

    public List<string[]> Actions { get; } = [];

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond", "div", "end",
        "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor", "runner",
    };

    public static Scenario Parse(IEnumerable<string> lines)
    {
        var scenario = new Scenario();
        var stack = new Stack<Decl>();
        foreach (var raw in lines)
        {
            var tokens = Tokenize(raw.TrimEnd('\r'));
            if (tokens.Length == 0) continue;
            switch (tokens[0])
            {
                case "sup":
                {
                    if (tokens.Length < 3) throw new ScenarioException($"sup needs a name and a strategy: {raw}");
                    var d = new Decl { Kind = "sup", Name = CheckName(tokens[1]), Strategy = tokens[2] };
                    if (d.Strategy is not ("one_for_one" or "one_for_all" or "rest_for_one")) throw new ScenarioException($"unknown strategy {d.Strategy}");
                    ParseOptions(d, tokens.Skip(3));
                    scenario.Declare(d, stack);
                    stack.Push(d);
                    break;
                }
                case "end":
                    if (stack.Count == 0) throw new ScenarioException("'end' without 'sup'");
                    stack.Pop();
                    break;
                case "worker":
                case "dynsup":
                {
                    if (tokens.Length < 2) throw new ScenarioException($"{tokens[0]} needs a name");
                    var d = new Decl { Kind = tokens[0], Name = CheckName(tokens[1]) };
                    ParseOptions(d, tokens.Skip(2));
                    scenario.Declare(d, stack);
                    break;
                }
                default:
                    if (stack.Count > 0) throw new ScenarioException($"action inside a sup block: {raw}");
                    scenario.Actions.Add(tokens);
                    break;
            }
        }
        if (stack.Count > 0) throw new ScenarioException("unterminated sup block");
        return scenario;
    }

    private void Declare(Decl d, Stack<Decl> stack)
    {
        if (!Decls.TryAdd(d.Name, d)) throw new ScenarioException($"{d.Name} declared twice");
        if (stack.Count > 0) stack.Peek().Children.Add(d);
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name[0] < 'a' || name[0] > 'z' || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || Reserved.Contains(name))
        {
            throw new ScenarioException($"invalid name '{name}'");
        }
        return name;
    }

    private static void ParseOptions(Decl d, IEnumerable<string> tokens)
    {
        foreach (var t in tokens)
        {
            var eq = t.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ScenarioException($"expected key=value, got '{t}'");
            d.Options[t[..eq]] = TermParser.Parse(t[(eq + 1)..]);
        }
    }

    public static string[] Tokenize(string line)
    {
        var tokens = new List<string>();
        foreach (var t in line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (t.StartsWith('#')) break;
            tokens.Add(t);
        }
        return tokens.ToArray();
    }
}
