namespace Otp.Net.Processes;

/// <summary>
/// Erlang's <c>badarg</c>: a name already taken or unknown, a negative timer, a pid that cannot be used.
/// </summary>
public sealed class BadArgumentException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public BadArgumentException(string message)
        : base(message)
    {
    }
}
