using System.Runtime.Loader;
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

    /// <summary>
    /// True for a module whose state is the engine's own (a supervisor module, R11): a code change hands it the state as
    /// it is, however much of the version it leaves that state holds, and the module itself makes a new state that no
    /// longer reaches that version (or returns the state it got, and the process stays on its version). Such a module
    /// also runs the change in both directions: on a downgrade the version being restored re-reads its specs (R8.4).
    /// </summary>
    internal virtual bool MigratesStateItself => false;

    /// <summary>
    /// <see cref="CodeChangeCore(object?, object?, object?, CancellationToken)"/>, told the load context of the version
    /// the process leaves (null when it stays on one), for a module that <see cref="MigratesStateItself"/>.
    /// </summary>
    internal virtual ValueTask<ICodeChangeResult?> CodeChangeCore(object? oldVersion, object? state, object? extra, AssemblyLoadContext? leaving, CancellationToken ct) =>
        CodeChangeCore(oldVersion, state, extra, ct);

    /// <summary>
    /// A module that <see cref="MigratesStateItself"/> rehearses its own change: what the change to this module would do to
    /// <paramref name="state"/>, changing nothing. Null leaves the rehearsal to the engine (a copy of the state through
    /// <see cref="CodeChangeCore(object?, object?, object?, AssemblyLoadContext?, CancellationToken)"/>).
    /// </summary>
    internal virtual ValueTask<RehearsalOutcome?> RehearseCore(object? oldVersion, object? state, object? extra, AssemblyLoadContext? leaving, CancellationToken ct) =>
        new((RehearsalOutcome?)null);
}
