namespace Otp.Net.GenServers;

/// <summary>A callback result seen by the engine, whatever the state type.</summary>
internal interface IServerResult
{
    ServerResultKind Kind { get; }

    object? BoxedState { get; }

    /// <summary>
    /// The new state as the engine keeps it: <paramref name="previous"/> itself when the state is a plain value (no
    /// references inside) equal bit for bit to the one already boxed there, so an unchanged <c>int</c> state is not
    /// boxed again on every message; otherwise <see cref="BoxedState"/>.
    /// </summary>
    object? StateAfter(object? previous);

    object? ReplyValue { get; }

    Processes.ExitReason? Reason { get; }

    ServerAction Action { get; }
}
