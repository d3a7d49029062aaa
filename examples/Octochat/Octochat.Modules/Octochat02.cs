using System.Net;
using System.Net.Sockets;
using System.Text;
using Octochat.Contracts;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Octochat;

// The modules of octochat 0.2.1, as in the original Elixir demo before commit 3bcdc01: a top supervisor with a task
// supervisor (Task.Supervisor) and the acceptor; each connection is a temporary bare process running the echo loop
// (Echo.serve: read a line, write it back, loop). The application and the acceptor are OctochatCommon.cs, the same in
// every release. Release 0.3.0 (Octochat.cs) replaces the task supervisor with a simple_one_for_one supervisor of
// echo GenServers.

/// <summary>The top supervisor of 0.2.1: the task supervisor, then the acceptor (rest_for_one: a new acceptor needs it).</summary>
[OtpModule("octochat_sup", Vsn = "0.2.1")]
public sealed class OctochatSupervisor : Supervisor
{
    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var port = (int)args!;
        return ValueTask.FromResult(SupervisorInit.Ok(
            TopSupervisor.Flags,
            ChildSpec.ForModule("task_sup", "octochat_task_sup", null, new GenServerOptions { Name = "octochat_task_sup" }) with { Type = ChildType.Supervisor },
            TopSupervisor.Acceptor(port)));
    }
}

/// <summary>The task supervisor (Elixir's Task.Supervisor): one temporary echo loop per connection, started with its socket.</summary>
[OtpModule("octochat_task_sup", Vsn = "0.2.1")]
public sealed class TaskSupervisor : Supervisor
{
    private static readonly string[] EchoModules = ["octochat_echo"];

    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SupervisorInit.Ok(
            new SupervisorFlags { Strategy = Strategy.SimpleOneForOne, Intensity = 3, PeriodSeconds = 5 },
            ChildSpec.Template("echo", static (node, args) =>
                Task.FromResult(StartResult.Ok(node.Code.Spawn("octochat_echo", args[0], new SpawnOptions { Link = true })))) with
            {
                Restart = RestartType.Temporary,
                Modules = EchoModules,
            }));
}

/// <summary>
/// The echo loop of one connection (Echo.serve): reads a line, writes it back as it came (with its new line), loops. A
/// bare process: it runs this version for its whole life. When it ends — the client closed, or an exit signal such as
/// its supervisor's <c>shutdown</c> — the socket is closed, so the client sees the connection end between two lines.
/// </summary>
[OtpModule("octochat_echo", Vsn = "0.2.1")]
public sealed class Echo : IProcessModule
{
    public async Task RunAsync(ProcessContext context, object? args)
    {
        using var socket = (Socket)args!;
        try
        {
            using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
            while (await reader.ReadLineAsync(context.CancellationToken) is { } line) LineSocket.Write(socket, line + "\n");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection ended, or the process did
        }
    }
}
