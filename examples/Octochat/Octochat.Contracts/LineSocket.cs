using System.Net.Sockets;
using System.Text;
using Otp.Net;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Octochat.Contracts;

/// <summary>
/// A connected socket in "active line mode", as gen_tcp's <c>{active, true}, {packet, line}</c>: a reader sends each
/// line it receives to the owning process as <c>{tcp, Line}</c> and <c>tcp_closed</c> at the end. When the owner exits,
/// the socket is closed, as a port closes when its owning process dies. It lives in a shared assembly, so a
/// connection's reader never keeps a release's code loaded.
/// </summary>
public static class LineSocket
{
    /// <summary>The message a line arrives in: <c>{tcp, Line}</c> (the line without its end-of-line).</summary>
    public static readonly Atom Tcp = Atom.Of("tcp");

    /// <summary>The message sent when the peer closes: <c>tcp_closed</c>.</summary>
    public static readonly Atom TcpClosed = Atom.Of("tcp_closed");

    /// <summary>Starts reading lines from <paramref name="socket"/> for <paramref name="owner"/>, until the socket closes or <paramref name="cancellationToken"/> (the owner's: cancelled when it exits) is cancelled, which also closes the socket.</summary>
    public static Task StartReading(Node node, Socket socket, Pid owner, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        try
        {
            using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line) node.Send(owner, TermTuple.Of(Tcp, line));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection ended
        }
        // The owner exited (its token is cancelled): the socket closes with it, as a port closes with its owner. A
        // GenServer ended by an exit signal while not trapping runs no TerminateAsync, so this is where it closes.
        if (cancellationToken.IsCancellationRequested) socket.Dispose();
        node.Send(owner, TcpClosed);
    }, CancellationToken.None);

    /// <summary>Writes <paramref name="text"/> to the socket as UTF-8.</summary>
    public static void Write(Socket socket, string text) => socket.Send(Encoding.UTF8.GetBytes(text));
}
