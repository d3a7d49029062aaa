namespace Otp.Net.Processes;

/// <summary>
/// An exit with a reason, the .NET form of Erlang's exception class <c>exit</c>. Thrown by
/// <see cref="ProcessContext.Exit(ExitReason)"/> (<c>erlang:exit/1</c>) and by failed calls; when it escapes a
/// process's code, the process exits with <see cref="Reason"/> exactly.
/// </summary>
public class OtpExitException : Exception
{
    /// <summary>Creates the exception for <paramref name="reason"/>.</summary>
    public OtpExitException(ExitReason reason)
        : base($"exit: {reason}") => Reason = reason ?? throw new ArgumentNullException(nameof(reason));

    /// <summary>Creates the exception for <paramref name="reason"/> with a message.</summary>
    public OtpExitException(ExitReason reason, string message)
        : base(message) => Reason = reason ?? throw new ArgumentNullException(nameof(reason));

    /// <summary>The exit reason.</summary>
    public ExitReason Reason { get; }
}
