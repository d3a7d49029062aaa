namespace Otp.Net.GenServers;

/// <summary>An init result seen by the engine, whatever the state type.</summary>
internal interface IInitResult
{
    InitResultKind Kind { get; }

    object? BoxedState { get; }

    Processes.ExitReason? Reason { get; }

    ServerAction Action { get; }
}
