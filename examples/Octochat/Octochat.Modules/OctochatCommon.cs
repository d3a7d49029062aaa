using System.Net;
using System.Net.Sockets;
using Otp.Net;
using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;

namespace Octochat;

// The modules every octochat release has unchanged (version "1"): the application and the acceptor. Each release's
// assembly compiles this file; an install never reloads them, so the acceptor that runs since the node booted (and
// its listening socket) stays through every upgrade and downgrade, including 0.2.1 <-> 0.3.0's change of tree.

/// <summary>The application: starts the top supervisor with the port from the environment.</summary>
[OtpModule("octochat_app", Vsn = "1")]
public sealed class OctochatApplication : Application
{
    public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
    {
        var node = ProcessContext.Current!.Node;
        var port = node.Applications.TryGetEnv("octochat", "port", out var p) ? Convert.ToInt32(p, System.Globalization.CultureInfo.InvariantCulture) : 9999;
        var started = await node.Code.StartGenServerAsync("octochat_sup", port, new GenServerOptions { Name = "octochat_sup" }, link: true, cancellationToken: cancellationToken);
        return started.IsOk ? ApplicationStart.Ok(started.Pid) : ApplicationStart.Failed(started.Error!);
    }
}

/// <summary>
/// Accepts connections and gives each to a new child of the connections' supervisor: the top supervisor's child of type
/// supervisor (<c>octochat_task_sup</c> in 0.2.1, <c>octochat_server_sup</c> from 0.3.0), looked up at each connection,
/// so that a release that replaces that supervisor needs no new acceptor and the listening socket never closes.
/// </summary>
[OtpModule("octochat_acceptor", Vsn = "1")]
public sealed class Acceptor : IProcessModule
{
    public async Task RunAsync(ProcessContext context, object? args)
    {
        using var listener = (TcpListener)args!;
        var top = ServerRef.Named(context.Node, "octochat_sup");
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(context.CancellationToken);
                if (!await StartConnectionAsync(top, socket)) socket.Dispose();
            }
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// Starts the connection's process under the connections' supervisor. False if there is none running at this moment
    /// (an install between stopping the old one and starting the new one): the connection is closed.
    /// </summary>
    private static async Task<bool> StartConnectionAsync(ServerRef top, Socket socket)
    {
        foreach (var child in await Supervisor.WhichChildrenAsync(top))
        {
            if (child.Type != ChildType.Supervisor || child.Pid.IsUndefined) continue;
            try
            {
                // An array, not a collection expression: the list stays in the child's spec, and must be no type of this assembly.
                return (await Supervisor.StartChildAsync(child.Pid, new object?[] { socket })).IsOk;
            }
            catch (CallException)
            {
                return false; // it stopped meanwhile
            }
        }
        return false;
    }
}

/// <summary>What every release's top supervisor shares: its flags and the acceptor's child spec.</summary>
internal static class TopSupervisor
{
    private static readonly string[] AcceptorModules = ["octochat_acceptor"];

    /// <summary>rest_for_one: a new acceptor needs the connections' supervisor before it.</summary>
    public static SupervisorFlags Flags => new() { Strategy = Strategy.RestForOne, Intensity = 3, PeriodSeconds = 5 };

    /// <summary>The acceptor: the socket listens before the child counts as started, so a client can connect as soon as the boot ends.</summary>
    public static ChildSpec Acceptor(int port) => new("acceptor", node =>
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        var pid = node.Code.Spawn("octochat_acceptor", listener, new SpawnOptions { Link = true });
        return Task.FromResult(StartResult.Ok(pid));
    })
    { Modules = AcceptorModules };
}
