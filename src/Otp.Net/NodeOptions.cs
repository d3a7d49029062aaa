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

    /// <summary>Receives process lifecycle events synchronously (see <see cref="IProcessTracer"/>).</summary>
    public IProcessTracer? Tracer { get; init; }
}
