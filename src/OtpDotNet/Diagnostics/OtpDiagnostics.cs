namespace Otp.Net.Diagnostics;

/// <summary>
/// The names under which Otp.Net publishes traces and metrics, for OpenTelemetry's <c>AddSource</c> and
/// <c>AddMeter</c>, <c>dotnet-counters monitor --counters OtpDotNet</c>, or a plain <c>ActivityListener</c> and
/// <c>MeterListener</c>. The BEAM has no counterpart: its tracing (<c>erlang:trace</c>, <c>sys:trace</c>) is per
/// process, not distributed.
/// </summary>
/// <remarks>
/// <para>
/// Spans (on the <see cref="System.Diagnostics.ActivitySource"/> <see cref="ActivitySourceName"/>): a
/// <c>call {Module}</c> client span around <c>GenServer.CallAsync</c> and a <c>handle_call {Module}</c> server span
/// around the callback that serves it; <c>cast {Module}</c> (producer) and <c>handle_cast {Module}</c> (consumer);
/// <c>handle_info {Module}</c> (consumer) for a message sent with <c>Send</c> from inside a trace;
/// <c>sys {operation}</c> (client) for each sys request; <c>restart {ChildId}</c> for a supervisor's restart and
/// <c>upgrade {Module}</c> for a code server upgrade. A callback runs with <see cref="System.Diagnostics.Activity.Current"/>
/// set to its span, so the calls it makes in turn join the same trace. The trace context travels inside the message:
/// nothing is captured or allocated for it while no listener is on the source.
/// </para>
/// <para>
/// Metrics (on the <see cref="System.Diagnostics.Metrics.Meter"/> <see cref="MeterName"/>, created through
/// <see cref="NodeOptions.MeterFactory"/> when one is given): the histograms <see cref="CallDuration"/>,
/// <see cref="RestartDuration"/> and <see cref="UpgradeDuration"/> in seconds, tagged with <see cref="ModuleTag"/>,
/// <see cref="ApplicationTag"/> and, on failure, <see cref="ErrorTypeTag"/>; the counters and gauges
/// <c>otp.processes</c>, <c>otp.messages.received</c>, <c>otp.mailbox.depth.max</c>, <c>otp.supervisor.restarts</c>,
/// <c>otp.code.loads</c>, <c>otp.code.upgrades</c>, <c>otp.scheduler.handoff.suspended</c> and
/// <c>otp.scheduler.handoff.suspensions</c>. Histograms are measured only while something listens to them.
/// </para>
/// </remarks>
public static class OtpDiagnostics
{
    /// <summary>The name of Otp.Net's <see cref="System.Diagnostics.ActivitySource"/>: <c>OtpDotNet</c>.</summary>
    public const string ActivitySourceName = "OtpDotNet";

    /// <summary>The name of every node's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>OtpDotNet</c>.</summary>
    public const string MeterName = "OtpDotNet";

    /// <summary>Histogram: how long a <c>GenServer.CallAsync</c> took as the caller saw it, in seconds.</summary>
    public const string CallDuration = "otp.call.duration";

    /// <summary>Histogram: how long a supervisor took to restart a child (and the siblings its strategy restarts), in seconds.</summary>
    public const string RestartDuration = "otp.supervisor.restart.duration";

    /// <summary>Histogram: how long a code server upgrade took, from the first suspend to the purge, in seconds.</summary>
    public const string UpgradeDuration = "otp.code.upgrade.duration";

    /// <summary>Tag: the callback module (a GenServer's or supervisor's <c>ModuleName</c>, or a code server module's name).</summary>
    public const string ModuleTag = "otp.module";

    /// <summary>Tag: the application the process belongs to (as <c>application:get_application/1</c> tells), when it belongs to one.</summary>
    public const string ApplicationTag = "otp.application";

    /// <summary>Tag: why the operation failed: the exit reason's atom (<c>timeout</c>, <c>noproc</c>...) or the exception's type.</summary>
    public const string ErrorTypeTag = "error.type";
}
