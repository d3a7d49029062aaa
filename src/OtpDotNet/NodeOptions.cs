using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Otp.Net.Diagnostics;

namespace Otp.Net;

/// <summary>Settings of a <see cref="Node"/>.</summary>
public sealed record NodeOptions
{
    /// <summary>The clock for timers, receive timeouts and restart intensity (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where crash, supervisor and progress reports go. By default warnings and errors (crash reports, supervisor
    /// reports, failed upgrades) are written to standard error, as OTP prints its error reports on the console;
    /// hosting uses the host's factory; <c>NullLoggerFactory.Instance</c> silences the node.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; init; } = StandardErrorLoggerFactory.Instance;

    /// <summary>
    /// The host's services: module versions loaded by the code server are created with constructor injection from
    /// them (see <see cref="Code.CodeServer"/>). Optional.
    /// </summary>
    public IServiceProvider? Services { get; init; }

    /// <summary>
    /// How long <see cref="Node.DisposeAsync"/> lets the running applications stop before it kills what is left
    /// (default 30 s, as <c>HostOptions.ShutdownTimeout</c>).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Creates the node's <see cref="System.Diagnostics.Metrics.Meter"/> (named <see cref="OtpDiagnostics.MeterName"/>):
    /// a host passes its <c>IMeterFactory</c> here, so the meter is tied to the host's services and visible to
    /// <c>MetricCollector</c> in tests. Without one the node creates and disposes its own meter. Optional.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Receives process lifecycle events synchronously (see <see cref="IProcessTracer"/>).</summary>
    public IProcessTracer? Tracer { get; init; }

    /// <summary>
    /// Whether a process woken by a running process (a message, a call's reply) may wait for the waker's turn to end
    /// and then run on the waker's thread, without a cross-thread wake-up (default true). Off, every wake-up of this
    /// node's processes, and every reply to a call they make, is queued to the thread pool at once: slower for
    /// request/reply and ping-pong traffic, but no woken process ever waits on a waker that keeps its thread (another
    /// thread takes such a process within microseconds either way).
    /// </summary>
    public bool HandOff { get; init; } = true;

    /// <summary>
    /// The releases directory of the node's release handler (<see cref="Node.Releases"/>): one folder per release version
    /// and the <c>RELEASES.json</c> file. Null: the node runs no releases.
    /// </summary>
    public string? ReleasesDirectory { get; init; }

    /// <summary>The public keys release packages must be signed with; null accepts unsigned packages (hashes are always checked).</summary>
    public Releases.ReleaseTrust? ReleaseTrust { get; init; }

    /// <summary>
    /// The path of the node's control socket (a Unix domain socket), through which <c>otpnet release</c> commands and
    /// <see cref="Releases.ReleaseControlClient"/> reach <see cref="Node.Releases"/>. The node creates it when it starts,
    /// readable and writable by its own user only (its folder, if the node creates it, too), and deletes it when it
    /// ends. Null (the default): no control socket; the node never listens on the network for it.
    /// </summary>
    public string? ControlSocket { get; init; }
}
