namespace Otp.Net.GenServers;

/// <summary>The shape of a <see cref="StartResult"/>.</summary>
public enum StartOutcome
{
    /// <summary><c>{ok, Pid}</c>.</summary>
    Ok,

    /// <summary><c>ignore</c>.</summary>
    Ignore,

    /// <summary><c>{error, Reason}</c>.</summary>
    Error,
}
