using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Diagnostics;

/// <summary>Standard error is process-wide: these tests do not run beside one another.</summary>
[CollectionDefinition(nameof(StandardErrorCollection), DisableParallelization = true)]
public sealed class StandardErrorCollection;

[Collection(nameof(StandardErrorCollection))]
public sealed class DefaultLoggingTests
{
    [Fact]
    public async Task NodeWithoutLoggerFactory_GenServerCrash_CrashReportOnStandardError()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(TextWriter.Synchronized(error));
        try
        {
            await using var node = new Node();
            var pid = (await GenServer.StartAsync(node, new Crasher())).GetPidOrThrow();
            var exit = node.WaitForExitAsync(pid);
            GenServer.Cast(pid, "crash");
            (await exit.Within()).ToString().Should().Contain("crash_requested");
        }
        finally
        {
            Console.SetError(previous);
        }

        // The report is written before the process is signalled as dead (G15: the exit reason comes last).
        error.ToString().Should().Contain("==error== Otp.Net.GenServer[1000]").And.Contain("crash_requested");
    }

    private sealed class Crasher : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCastAsync(object request, int state, CancellationToken cancellationToken) =>
            Stop(ExitReason.Of(Atom.Of("crash_requested")), state);
    }
}
