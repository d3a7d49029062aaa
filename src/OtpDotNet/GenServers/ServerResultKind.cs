namespace Otp.Net.GenServers;

/// <summary>The shape of a <see cref="ServerResult{TState}"/>.</summary>
public enum ServerResultKind
{
    /// <summary><c>{reply, Reply, State[, Action]}</c> (HandleCall only).</summary>
    Reply,

    /// <summary><c>{noreply, State[, Action]}</c>.</summary>
    NoReply,

    /// <summary><c>{stop, Reason, State}</c>.</summary>
    Stop,

    /// <summary><c>{stop, Reason, Reply, State}</c> (HandleCall only).</summary>
    StopReply,
}
