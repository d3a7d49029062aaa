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
    /// Captures the text of <paramref name="exception"/>. The stack is kept as method names without file and line
    /// numbers: resolving those reads symbol files and made a crash several times more expensive than the restart
    /// that follows it.
    /// </summary>
    public static ExceptionInfo From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var stack = new System.Diagnostics.StackTrace(exception, fNeedFileInfo: false).ToString();
        return new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, stack.Length == 0 ? null : stack);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Message}";
}
