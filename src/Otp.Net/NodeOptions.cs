using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Otp.Net.Diagnostics;

namespace Otp.Net;

/// <summary>Settings of a <see cref="Node"/>.</summary>
public sealed record NodeOptions
{
    /// <summary>The clock for timers, receive timeouts and restart intensity (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where crash, supervisor and progress reports go.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

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

    /// <summary>Receives process lifecycle events synchronously (see <see cref="IProcessTracer"/>).</summary>
    public IProcessTracer? Tracer { get; init; }
}
