using System.Diagnostics;
using System.Runtime.CompilerServices;
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
    /// A caller's span (<c>call {Module}</c>, <c>sys {operation}</c>) for a request to <paramref name="target"/>, tagged
    /// with the target's pid, module and names; <paramref name="operation"/> also becomes the operation tag. Null when
    /// not sampled.
    /// </summary>
    public static Activity? StartClient(LocalProcess target, string name, string? operation = null)
    {
        var activity = Source.StartActivity(ActivityKind.Client, name: name);
        if (operation is not null) activity?.SetTag(OperationTag, operation);
        if (activity is { IsAllDataRequested: true }) TagProcess(activity, target);
        return activity;
    }

    /// <summary>The producer span of a cast to <paramref name="target"/>. Null when not sampled.</summary>
    public static Activity? StartProducer(LocalProcess target)
    {
        var activity = Source.StartActivity(ActivityKind.Producer, name: "cast " + (target.ModuleName ?? "gen_server"));
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

    /// <summary>Marks a span as failed with <paramref name="errorType"/> (see <see cref="ErrorType(ExitReason)"/>).</summary>
    public static void Fail(Activity? activity, string errorType, string? description = null)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, description ?? errorType);
        activity.SetTag(OtpDiagnostics.ErrorTypeTag, errorType);
    }

    /// <summary>OpenTelemetry's <c>error.type</c> for an exit reason: its atom (<c>timeout</c>, <c>noproc</c>...) or the exception type of a crash. Low cardinality.</summary>
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
}
