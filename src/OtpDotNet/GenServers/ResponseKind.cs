namespace Otp.Net.GenServers;

/// <summary>What a wait for the response to a <see cref="GenServer.SendRequest(ServerRef, object)"/> request gave.</summary>
public enum ResponseKind
{
    /// <summary><c>{reply, Reply}</c>: the server replied.</summary>
    Reply,

    /// <summary><c>{error, {Reason, ServerRef}}</c>: the server ended (or did not exist: <c>noproc</c>) before replying.</summary>
    Down,

    /// <summary><c>timeout</c>: no response within the timeout.</summary>
    Timeout,

    /// <summary><c>no_reply</c>: <see cref="GenServer.CheckResponse(RequestId)"/> found no response yet.</summary>
    NoReply,

    /// <summary><c>no_request</c>: the collection was empty.</summary>
    NoRequest,
}
