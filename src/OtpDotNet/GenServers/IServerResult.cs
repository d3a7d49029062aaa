namespace Otp.Net.GenServers;

/// <summary>A callback result seen by the engine, whatever the state type.</summary>
internal interface IServerResult
{
    ServerResultKind Kind { get; }

    object? BoxedState { get; }

    object? ReplyValue { get; }

    Processes.ExitReason? Reason { get; }

    ServerAction Action { get; }
}
