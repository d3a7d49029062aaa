namespace Otp.Net.GenServers;

/// <summary>What <c>CodeChange</c> returns (S5): <c>{ok, NewState}</c> or <c>{error, Reason}</c>.</summary>
/// <typeparam name="TState">The (new) state type.</typeparam>
public sealed class CodeChangeResult<TState> : ICodeChangeResult
{
    private CodeChangeResult(bool ok, TState state, object? error)
    {
        IsOk = ok;
        State = state;
        Error = error;
    }

    /// <summary>True for <c>{ok, NewState}</c>.</summary>
    public bool IsOk { get; }

    /// <summary>The migrated state.</summary>
    public TState State { get; }

    /// <summary>The error term.</summary>
    public object? Error { get; }

    object? ICodeChangeResult.BoxedState => HasOther ? Other : State;

    /// <summary><c>{ok, NewState}</c>.</summary>
    public static CodeChangeResult<TState> Ok(TState state) => new(true, state, null);

    /// <summary>
    /// <c>{ok, State}</c> with a state of another shape: a downgrade (S6) returns the older version's shape (for example
    /// a record of the old shape declared in this version); it is converted onto the older version's state type.
    /// </summary>
    public static CodeChangeResult<TState> OkAs(object? state) => new(true, default!, null) { Other = state, HasOther = true };

    internal object? Other { get; private init; }

    internal bool HasOther { get; private init; }

    /// <summary><c>{error, Reason}</c>: the process keeps its old state and code.</summary>
    public static CodeChangeResult<TState> Fail(object? reason) => new(false, default!, reason);

    /// <summary>Lets a synchronous <c>CodeChange</c> return a result where a <see cref="ValueTask{TResult}"/> is expected.</summary>
    public static implicit operator ValueTask<CodeChangeResult<TState>>(CodeChangeResult<TState> result) => new(result);
}
