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
    /// <summary>Captures the text of <paramref name="exception"/>.</summary>
    public static ExceptionInfo From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Type}: {Message}";
}
