using System.Runtime.CompilerServices;
namespace Otp.Net.GenServers;

/// <summary>
/// The value a GenServer callback returns: gen_server's return grammar as a closed type. Build one with
/// <see cref="GenServer{TState}"/>'s helpers (<c>Reply</c>, <c>NoReply</c>, <c>Stop</c>, <c>StopReply</c>).
/// A result outside a callback's grammar (e.g. a reply from <c>HandleCast</c>, or null) stops the server with
/// <c>{bad_return_value, V}</c> (G10).
/// </summary>
/// <typeparam name="TState">The server's state type.</typeparam>
public sealed class ServerResult<TState> : IServerResult
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal ServerResult(ServerResultKind kind, TState state, object? reply, Processes.ExitReason? reason, ServerAction action)
    {
        Kind = kind;
        State = state;
        ReplyValue = reply;
        Reason = reason;
        Action = action;
    }

    /// <summary>Which shape.</summary>
    public ServerResultKind Kind { get; }

    /// <summary>The new state.</summary>
    public TState State { get; }

    /// <summary>The reply, for <see cref="ServerResultKind.Reply"/> and <see cref="ServerResultKind.StopReply"/>.</summary>
    public object? ReplyValue { get; }

    /// <summary>The stop reason, for the stop shapes.</summary>
    public Processes.ExitReason? Reason { get; }

    /// <summary>The action after the callback.</summary>
    public ServerAction Action { get; }

    object? IServerResult.BoxedState => State;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    object? IServerResult.StateAfter(object? previous)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TState>() && previous is TState old)
        {
            var state = State;
            var size = System.Runtime.CompilerServices.Unsafe.SizeOf<TState>();
            var before = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.As<TState, byte>(ref old), size);
            var after = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref System.Runtime.CompilerServices.Unsafe.As<TState, byte>(ref state), size);
            if (before.SequenceEqual(after)) return previous;
        }
        return State;
    }

    /// <summary>Lets a synchronous callback return a result where a <see cref="ValueTask{TResult}"/> is expected.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static implicit operator ValueTask<ServerResult<TState>>(ServerResult<TState> result) => new(result);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ServerResultKind.Reply => $"{{reply,{Terms.TermFormatter.Format(ReplyValue)},{State}}}",
        ServerResultKind.NoReply => $"{{noreply,{State}}}",
        ServerResultKind.Stop => $"{{stop,{Reason},{State}}}",
        _ => $"{{stop,{Reason},{Terms.TermFormatter.Format(ReplyValue)},{State}}}",
    };
}
