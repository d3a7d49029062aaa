using System.Net;
using System.Net.Sockets;
using Octochat.Contracts;
using Otp.Net;
using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Octochat;

// The modules of the octochat application from 0.3.0 on, as in the original Elixir demo (kennyballou/octochat): a top
// supervisor, a simple_one_for_one supervisor of echo servers (one per connection, the socket in its state) and, in
// OctochatCommon.cs, the application and the acceptor. Releases 0.3.0, 0.3.2, 0.3.3 and 0.3.4 compile this file; they
// differ only in the echo server (OCTOCHAT_030, OCTOCHAT_033, OCTOCHAT_034). Release 0.2.1 is Octochat02.cs.

/// <summary>The top supervisor: the connections' supervisor, then the acceptor (rest_for_one: a new acceptor needs it).</summary>
[OtpModule("octochat_sup", Vsn = "1")]
public sealed class OctochatSupervisor : Supervisor
{
    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var port = (int)args!;
        return ValueTask.FromResult(SupervisorInit.Ok(
            TopSupervisor.Flags,
            ChildSpec.ForModule("server_sup", "octochat_server_sup", null, new GenServerOptions { Name = "octochat_server_sup" }) with { Type = ChildType.Supervisor },
            TopSupervisor.Acceptor(port)));
    }
}

/// <summary>One echo server per connection, started with the connection's socket; temporary, as in the demo.</summary>
[OtpModule("octochat_server_sup", Vsn = "1")]
public sealed class ServerSupervisor : Supervisor
{
    private static readonly string[] EchoModules = ["octochat_echo"];

    public override ValueTask<SupervisorInit> InitAsync(object? args, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SupervisorInit.Ok(
            new SupervisorFlags { Strategy = Strategy.SimpleOneForOne, Intensity = 10, PeriodSeconds = 1 },
            ChildSpec.Template("echo", static (node, args) => node.Code.StartGenServerAsync("octochat_echo", args[0], link: true)) with
            {
                Restart = RestartType.Temporary,
                Modules = EchoModules,
            }));
}

/// <summary>The echo server's state: its connection.</summary>
public sealed record EchoState(Socket Socket);

/// <summary>
/// The echo server of one connection. 0.3.0 answers each line as it came (with its new line); 0.3.2 answers each line trimmed and reversed; 0.3.3 also appends a new line;
/// 0.3.4 is a faulty release: its <c>CodeChange</c> throws for the connection whose client port is the Extra argument.
/// </summary>
#if OCTOCHAT_030
[OtpModule("octochat_echo", Vsn = "0.3.0")]
#elif OCTOCHAT_033
[OtpModule("octochat_echo", Vsn = "0.3.3")]
#elif OCTOCHAT_034
[OtpModule("octochat_echo", Vsn = "0.3.4")]
#else
[OtpModule("octochat_echo", Vsn = "0.3.2")]
#endif
public sealed class Echo : GenServer<EchoState>
{
    public override ValueTask<InitResult<EchoState>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        var socket = (Socket)args!;
        LineSocket.StartReading(Self.Node, socket, Self.Self, Self.CancellationToken);
        return Ok(new EchoState(socket));
    }

    public override ValueTask<ServerResult<EchoState>> HandleInfoAsync(object message, EchoState state, CancellationToken cancellationToken)
    {
        if (message is TermTuple { Length: 2 } tcp && tcp[0] is Atom { Name: "tcp" } && tcp[1] is string line)
        {
#if OCTOCHAT_030
            var answer = line + "\n";
#else
            var answer = new string(line.Trim().Reverse().ToArray());
#endif
#if OCTOCHAT_033
            answer += "\n";
#endif
            try
            {
                LineSocket.Write(state.Socket, answer);
            }
            catch (SocketException)
            {
                return Stop(ExitReason.Normal, state);
            }
            return NoReply(state);
        }
        if (message is Atom { Name: "tcp_closed" }) return Stop(ExitReason.Normal, state);
        return NoReply(state);
    }

#if OCTOCHAT_034
    public override ValueTask<CodeChangeResult<EchoState>> CodeChangeAsync(object? oldVersion, object? oldState, object? extra, CancellationToken cancellationToken)
    {
        var state = ((StateTerm)oldState!).As<EchoState>();
        if (state.Socket.RemoteEndPoint is IPEndPoint remote && extra is long port && remote.Port == port)
        {
            throw new InvalidOperationException($"cannot upgrade the connection from port {port}");
        }
        return CodeChangeResult<EchoState>.Ok(state);
    }

#endif
    public override ValueTask TerminateAsync(ExitReason reason, EchoState state, CancellationToken cancellationToken)
    {
        state.Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
