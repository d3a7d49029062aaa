using System.Diagnostics;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>The spans of the client side of calls, casts and sys requests (<see cref="OtpTelemetry"/>).</summary>
internal static class RequestTelemetry
{
    /// <summary>
    /// The caller's span for a request (<c>call</c> or a sys operation) to <paramref name="target"/>; the envelope of a
    /// call carries it (or the caller's current activity when it is not sampled) to the server. Null when not sampled.
    /// </summary>
    public static Activity? StartRequest(LocalProcess target, object envelope)
    {
        switch (envelope)
        {
            case CallRequest call:
                var activity = OtpTelemetry.StartClient(target, "call " + (target.ModuleName ?? "gen_server"));
                call.Trace = activity ?? Activity.Current;
                return activity;
            case SystemRequest system:
                var operation = OperationName(system.Op);
                return OtpTelemetry.StartClient(target, "sys " + operation, operation);
            default:
                return null;
        }
    }

    /// <summary>The producer span of a cast; the envelope carries it (or the caller's current activity) to the server.</summary>
    public static Activity? StartCast(LocalProcess target, CastRequest envelope)
    {
        var activity = OtpTelemetry.StartProducer(target);
        envelope.Trace = activity ?? Activity.Current;
        return activity;
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
        SystemOp.FormatStatus => "format_status",
        _ => op.ToString(),
    };

    /// <summary>
    /// OpenTelemetry's <c>error.type</c> for a failure: the exit reason's atom (<c>timeout</c>, <c>noproc</c>,
    /// <c>calling_self</c>...), the exception type of a crash, or the type of any other exception. Low cardinality.
    /// </summary>
    public static string ErrorType(Exception exception) => exception switch
    {
        ICallFailure call => OtpTelemetry.ErrorType(call.CallReason),
        OtpExitException exit => OtpTelemetry.ErrorType(exit.Reason),
        OperationCanceledException => "cancelled",
        _ => exception.GetType().FullName ?? exception.GetType().Name,
    };

}
