using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>What <c>Init</c> returns (G1, G3): ok with a state and optional action, ignore, or stop.</summary>
/// <typeparam name="TState">The server's state type.</typeparam>
public sealed class InitResult<TState> : IInitResult
{
    private InitResult(InitResultKind kind, TState state, ExitReason? reason, ServerAction action)
    {
        Kind = kind;
        State = state;
        Reason = reason;
        Action = action;
    }

    /// <summary>Which shape.</summary>
    public InitResultKind Kind { get; }

    /// <summary>The initial state (for <see cref="InitResultKind.Ok"/>).</summary>
    public TState State { get; }

    /// <summary>The stop reason (for <see cref="InitResultKind.Stop"/>).</summary>
    public ExitReason? Reason { get; }

    /// <summary>The action after init.</summary>
    public ServerAction Action { get; }

    object? IInitResult.BoxedState => State;

    /// <summary><c>{ok, State}</c> or <c>{ok, State, Action}</c>.</summary>
    public static InitResult<TState> Ok(TState state, ServerAction action = default) => new(InitResultKind.Ok, state, null, action);

    /// <summary><c>ignore</c>.</summary>
    public static InitResult<TState> Ignore() => new(InitResultKind.Ignore, default!, null, default);

    /// <summary><c>{stop, Reason}</c>.</summary>
    public static InitResult<TState> Stop(ExitReason reason) => new(InitResultKind.Stop, default!, reason ?? throw new ArgumentNullException(nameof(reason)), default);

    /// <summary>Lets a synchronous <c>Init</c> return a result where a <see cref="ValueTask{TResult}"/> is expected.</summary>
    public static implicit operator ValueTask<InitResult<TState>>(InitResult<TState> result) => new(result);
}
