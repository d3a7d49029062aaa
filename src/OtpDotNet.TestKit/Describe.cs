using Otp.Net.Terms;

namespace Otp.Net.TestKit;

/// <summary>How the kit prints messages and durations in its failure messages.</summary>
internal static class Describe
{
    public static string Message(object? message)
    {
        if (message is null) return "null";
        string text;
        try
        {
            text = TermFormatter.Format(message, maxDepth: 12, maxLength: 1_000);
        }
        catch (Exception)
        {
            text = message.ToString() ?? "";
        }
        return $"{text} ({TypeName(message.GetType())})";
    }

    public static string Process(Node node, Otp.Net.Processes.Pid pid) =>
        node.GetProcessInfo(pid) is { } info ? $"{pid} (status {info.Status}, {info.MessageQueueLength} queued message(s))" : pid.ToString();

    public static string Messages(IReadOnlyCollection<object> messages) =>
        messages.Count == 0 ? "nothing" : string.Join(", ", messages.Select(Message));

    public static string Duration(TimeSpan t) =>
        t == Timeout.InfiniteTimeSpan ? "infinity"
        : t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###} s"
        : $"{t.TotalMilliseconds:0.###} ms";

    public static string TypeName(Type t)
    {
        if (!t.IsGenericType) return t.Name;
        var name = t.Name.Split('`')[0];
        if (name == "ValueTuple") return $"({string.Join(", ", t.GetGenericArguments().Select(TypeName))})";
        return $"{name}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>";
    }
}
