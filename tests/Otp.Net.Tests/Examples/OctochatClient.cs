using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Otp.Net.Tests.Examples;

/// <summary>A connected octochat client (loopback) that reads exactly what the server sends.</summary>
internal sealed class OctochatClient : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256];

    public OctochatClient(int port)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _socket.Connect(IPAddress.Loopback, port);
    }

    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Sends a line and reads the answer: exactly <paramref name="expectedLength"/> bytes.</summary>
    public async Task<string> SayAsync(string line, int expectedLength)
    {
        await _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"));
        var read = 0;
        using var timeout = new CancellationTokenSource(Wait);
        while (read < expectedLength)
        {
            var n = await _socket.ReceiveAsync(_buffer.AsMemory(read, expectedLength - read), SocketFlags.None, timeout.Token);
            if (n == 0) throw new IOException("the server closed the connection");
            read += n;
        }
        return Encoding.UTF8.GetString(_buffer, 0, read);
    }

    /// <summary>
    /// Waits for the server to close the connection: true when it did (end of stream, or a reset) with no byte sent
    /// first; false when bytes came instead (a line, or part of one). A hang ends in an <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<bool> WaitClosedAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            return await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>
    /// Says <paramref name="line"/> over and over, checking each answer is <paramref name="answer"/>, until the server
    /// closes the connection; returns the number of answers. An answer cut short by the close throws: a client may see its
    /// connection end between two lines, never inside one.
    /// </summary>
    public async Task<int> ChatUntilClosedAsync(string line, string answer)
    {
        var expected = Encoding.UTF8.GetBytes(answer);
        using var timeout = new CancellationTokenSource(Wait);
        for (var answers = 0; ; answers++)
        {
            var read = 0;
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None, timeout.Token);
                while (read < expected.Length)
                {
                    var n = await _socket.ReceiveAsync(_buffer.AsMemory(read, expected.Length - read), SocketFlags.None, timeout.Token);
                    if (n == 0) break;
                    read += n;
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
            {
                // closed while sending or reading
            }
            if (read == 0) return answers; // closed between two lines
            if (read < expected.Length) throw new IOException($"the connection closed inside an answer: {Encoding.UTF8.GetString(_buffer, 0, read)}");
            var got = Encoding.UTF8.GetString(_buffer, 0, read);
            if (got != answer) throw new IOException($"answer {answers}: {got}, expected {answer}");
        }
    }

    public void Dispose() => _socket.Dispose();
}
