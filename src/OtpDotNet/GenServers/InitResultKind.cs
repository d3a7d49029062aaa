namespace Otp.Net.GenServers;

/// <summary>The shape of an <see cref="InitResult{TState}"/>.</summary>
public enum InitResultKind
{
    /// <summary><c>{ok, State[, Action]}</c>.</summary>
    Ok,

    /// <summary><c>ignore</c>: the starter gets ignore, the process exits normal.</summary>
    Ignore,

    /// <summary><c>{stop, Reason}</c>: the starter gets <c>{error, Reason}</c>, the process exits with Reason.</summary>
    Stop,
}
