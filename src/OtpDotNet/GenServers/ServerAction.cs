namespace Otp.Net.GenServers;

/// <summary>
/// What a GenServer does after a callback, beside keeping its state: nothing, an idle timeout (G12), hibernate,
/// or continue (G13) — the optional last element of gen_server's return tuples.
/// </summary>
public readonly record struct ServerAction
{
    private ServerAction(ServerActionKind kind, TimeSpan timeout, object? continueArg)
    {
        Kind = kind;
        Timeout = timeout;
        ContinueArg = continueArg;
    }

    /// <summary>No action.</summary>
    public static ServerAction None => default;

    /// <summary>Hibernate: the process keeps nothing but its state while idle.</summary>
    public static ServerAction Hibernate => new(ServerActionKind.Hibernate, default, null);

    /// <summary>Which action.</summary>
    public ServerActionKind Kind { get; }

    /// <summary>For <see cref="ServerActionKind.Timeout"/>: how long to wait for a message before <c>HandleInfo(timeout)</c>.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>For <see cref="ServerActionKind.Continue"/>: the argument of <c>HandleContinue</c>.</summary>
    public object? ContinueArg { get; }

    /// <summary>An idle timeout: if no message arrives within <paramref name="timeout"/>, <c>HandleInfo</c> gets the atom <c>timeout</c> (G12).</summary>
    public static ServerAction After(TimeSpan timeout) =>
        timeout == System.Threading.Timeout.InfiniteTimeSpan ? None : new(ServerActionKind.Timeout, timeout, null);

    /// <summary><c>{continue, Arg}</c>: <c>HandleContinue(Arg)</c> runs before any message (G13).</summary>
    public static ServerAction Continue(object continueArg) => new(ServerActionKind.Continue, default, continueArg);
}
