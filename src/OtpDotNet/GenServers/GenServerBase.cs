using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// The engine's view of a GenServer callback module, whatever its state type. Derive from
/// <see cref="GenServer{TState}"/>, not from this class.
/// </summary>
public abstract class GenServerBase
{
    private protected GenServerBase()
    {
    }

    /// <summary>The module's name (its type's full name), as reports and <c>get_status</c> show it.</summary>
    public virtual string ModuleName => GetType().FullName ?? GetType().Name;

    internal abstract ValueTask<IInitResult?> InitCore(object? args, CancellationToken ct);

    internal abstract ValueTask<IServerResult?> HandleCallCore(object request, From from, object? state, CancellationToken ct);

    internal abstract ValueTask<IServerResult?> HandleCastCore(object request, object? state, CancellationToken ct);

    internal abstract ValueTask<IServerResult?> HandleInfoCore(object message, object? state, CancellationToken ct);

    internal abstract ValueTask<IServerResult?> HandleContinueCore(object continueArg, object? state, CancellationToken ct);

    internal abstract ValueTask TerminateCore(ExitReason reason, object? state, CancellationToken ct);

    internal abstract ValueTask<ICodeChangeResult?> CodeChangeCore(object? oldVersion, object? state, object? extra, CancellationToken ct);

    internal abstract object? FormatStatusCore(object? state);
}
