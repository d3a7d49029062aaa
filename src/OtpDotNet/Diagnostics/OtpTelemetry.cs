using System.Diagnostics;
using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Diagnostics;

/// <summary>
/// Otp.Net's <see cref="ActivitySource"/> and the helpers that start its spans. Every entry point first asks
/// <see cref="ActivitySource.HasListeners"/> (a field read): with no listener nothing is captured, allocated or timed.
/// </summary>
internal static class OtpTelemetry
{
    public static readonly ActivitySource Source = new(OtpDiagnostics.ActivitySourceName, OtpMetrics.Version);

    public const string PidTag = "otp.pid";
    public const string RegisteredNameTag = "otp.registered_name";
    public const string OperationTag = "otp.operation";
    public const string ChildIdTag = "otp.child.id";
    public const string SupervisorTag = "otp.supervisor";
    public const string ExitReasonTag = "otp.exit_reason";
    public const string FromVersionTag = "otp.module.from_version";
    public const string ToVersionTag = "otp.module.to_version";

    /// <summary>Whether anything listens to Otp.Net's spans.</summary>
    public static bool Tracing
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Source.HasListeners();
    }

    /// <summary>
    /// What <c>Send</c> puts in the mailbox: the message itself, or, when the sender runs inside a trace that Otp.Net's
    /// source is listened to in, the message with the sender's span (<see cref="TracedMessage"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static object WithTrace(object message) =>
        Source.HasListeners() && Activity.Current is { } current ? new TracedMessage(message, current) : message;

    /// <summary>
    /// The caller's span for a request (<c>call</c> or a sys operation) to <paramref name="target"/>; the envelope of a
    /// call carries it (or the caller's current activity when it is not sampled) to the server. Null when not sampled.
    /// </summary>
    public static Activity? StartRequest(LocalProcess target, object envelope)
    {
        Activity? activity;
        switch (envelope)
        {
            case CallRequest call:
                activity = Source.StartActivity(ActivityKind.Client, name: "call " + (target.ModuleName ?? "gen_server"));
                call.Trace = activity ?? Activity.Current;
                break;
            case SystemRequest system:
                var operation = OperationName(system.Op);
                activity = Source.StartActivity(ActivityKind.Client, name: "sys " + operation);
                activity?.SetTag(OperationTag, operation);
                break;
            default:
                return null;
        }
        if (activity is { IsAllDataRequested: true }) TagProcess(activity, target);
        return activity;
    }

    /// <summary>The producer span of a cast; the envelope carries it (or the caller's current activity) to the server.</summary>
    public static Activity? StartCast(LocalProcess target, CastRequest envelope)
    {
        var activity = Source.StartActivity(ActivityKind.Producer, name: "cast " + (target.ModuleName ?? "gen_server"));
        envelope.Trace = activity ?? Activity.Current;
        if (activity is { IsAllDataRequested: true }) TagProcess(activity, target);
        return activity;
    }

    /// <summary>
    /// The server's span around the callback that handles a call, cast or traced message, child of the sender's span.
    /// Null when the message came with no trace or the span is not sampled.
    /// </summary>
    public static Activity? StartHandler(string callback, ActivityKind kind, Activity? parent, LocalProcess server, string module)
    {
        if (parent is null || !Source.HasListeners()) return null;
        var activity = Source.StartActivity(callback + " " + module, kind, parent.Context);
        if (activity is { IsAllDataRequested: true })
        {
            TagProcess(activity, server);
            activity.SetTag(OtpDiagnostics.ModuleTag, module);
        }
        return activity;
    }

    /// <summary>A span of the node's own work (a restart, an upgrade), child of the current activity if there is one.</summary>
    public static Activity? StartInternal(string name) => Source.HasListeners() ? Source.StartActivity(name, ActivityKind.Internal) : null;

    /// <summary>Marks a span as failed with <paramref name="errorType"/> (see <see cref="ErrorType(Exception)"/>).</summary>
    public static void Fail(Activity? activity, string errorType, string? description = null)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, description ?? errorType);
        activity.SetTag(OtpDiagnostics.ErrorTypeTag, errorType);
    }

    /// <summary>
    /// OpenTelemetry's <c>error.type</c> for a failure: the exit reason's atom (<c>timeout</c>, <c>noproc</c>,
    /// <c>calling_self</c>...), the exception type of a crash, or the type of any other exception. Low cardinality.
    /// </summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        CallException call => ErrorType(call.CallReason),
        OtpExitException exit => ErrorType(exit.Reason),
        OperationCanceledException => "cancelled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

    /// <summary>As <see cref="ErrorType(Exception)"/>, for an exit reason.</summary>
    public static string ErrorType(ExitReason reason) => reason.Term switch
    {
        Atom atom => atom.Name,
        _ when reason.Exception is { } ex => ex.Type,
        TermTuple { Length: > 0 } tuple when tuple[0] is Atom head => head.Name,
        _ => "exit",
    };

    private static void TagProcess(Activity activity, LocalProcess process)
    {
        activity.SetTag(PidTag, process.Self.ToString());
        if (process.ModuleName is { } module) activity.SetTag(OtpDiagnostics.ModuleTag, module);
        if (process.RegisteredName is { } name) activity.SetTag(RegisteredNameTag, name);
        if (process.Application is { } application) activity.SetTag(OtpDiagnostics.ApplicationTag, application);
    }

    /// <summary>The sys function a system operation mirrors.</summary>
    public static string OperationName(SystemOp op) => op switch
    {
        SystemOp.GetState => "get_state",
        SystemOp.ReplaceState => "replace_state",
        SystemOp.Suspend => "suspend",
        SystemOp.Resume => "resume",
        SystemOp.GetStatus => "get_status",
        SystemOp.ChangeCode => "change_code",
        SystemOp.Statistics => "statistics",
        SystemOp.Trace => "trace",
        SystemOp.Terminate => "terminate",
        SystemOp.Rebind => "rebind",
        SystemOp.RevertCode => "revert_code",
        _ => op.ToString(),
    };
}
