namespace Otp.Net.Processes;

/// <summary>
/// What is kept of an exception that ended a process: its type name, message and stack trace as text.
/// The exception object itself is not kept, because it would keep the code that threw it loaded
/// (an old module version could never be unloaded).
/// </summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="StackTrace">The stack trace as text, when there was one.</param>
public sealed record ExceptionInfo(string Type, string Message, string? StackTrace)
{
    /// <summary>
    /// Captures the text of <paramref name="exception"/>. The stack is kept as one line per frame, the method's type
    /// and name, without file and line numbers and without reflection over attributes: formatting a stack the way
    /// <see cref="Exception.StackTrace"/> does made a crash several times more expensive than the restart that follows
    /// it. Frames of async plumbing are left out and async methods show under their own names.
    /// </summary>
    public static ExceptionInfo From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, FormatStack(exception));
    }

    private static string? FormatStack(Exception exception)
    {
        var frames = new System.Diagnostics.StackTrace(exception, fNeedFileInfo: false).GetFrames();
        if (frames.Length == 0) return null;
        var text = new System.Text.StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.GetMethod() is not { } method) continue;
            var type = method.DeclaringType;
            var name = method.Name;
            // An async method's body is MoveNext on a compiler-generated type named <Method>d__N, nested in its class.
            if (type is { DeclaringType: { } outer } && name == "MoveNext" && type.Name.StartsWith('<') && type.Name.IndexOf('>') is > 1 and var close)
            {
                name = type.Name[1..close];
                type = outer;
            }
            var ns = type?.Namespace;
            if (ns is "System.Runtime.CompilerServices" or "System.Runtime.ExceptionServices" || (ns == "System.Threading" && type!.Name == "ExecutionContext")) continue;
            if (text.Length > 0) text.AppendLine();
            text.Append("   at ");
            if (type is not null) text.Append(type.FullName ?? type.Name).Append('.');
            text.Append(name).Append("()");
        }
        return text.Length == 0 ? null : text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Message}";
}
