using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Otp.Net.Releases;

/// <summary>
/// Talks to a running node's release handler through its control socket (<see cref="NodeOptions.ControlSocket"/>):
/// what <c>otpnet release which|unpack|rehearse|install|downgrade|permanent|remove</c> use. One connection per request.
/// </summary>
/// <param name="socketPath">The node's control socket.</param>
public sealed class ReleaseControlClient(string socketPath)
{
    /// <summary>The longest reply line read.</summary>
    public const int MaxReplyBytes = 16 * 1024 * 1024;

    /// <summary>The node's control socket.</summary>
    public string SocketPath { get; } = socketPath ?? throw new ArgumentNullException(nameof(socketPath));

    /// <summary>
    /// Sends <paramref name="request"/> and yields the node's answer line by line: journal entries as the install runs,
    /// then the final <see cref="ControlReplyKind.Result"/> or <see cref="ControlReplyKind.Error"/>. No node on the
    /// socket, or a connection lost before the final line, is a <see cref="ReleaseException"/> of kind
    /// <see cref="ReleaseErrorKind.ControlSocketUnavailable"/> (an install under way still runs to its end on the node).
    /// </summary>
    public async IAsyncEnumerable<ControlReply> SendAsync(ControlRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new ReleaseException(ReleaseErrorKind.ControlSocketUnavailable, $"no node answers on {SocketPath}: {e.Message}", SocketPath, inner: e);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await using var buffered = new BufferedStream(stream);
        try
        {
            await stream.WriteAsync(ControlJson.Line(request), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Lost(e);
        }
        while (true)
        {
            byte[]? line;
            try
            {
                line = await ControlJson.ReadLineAsync(buffered, MaxReplyBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw Lost(e);
            }
            if (line is null) throw Lost(null);
            ControlReply reply;
            try
            {
                reply = JsonSerializer.Deserialize<ControlReply>(line, ControlJson.Options) ?? throw Lost(null);
            }
            catch (JsonException e)
            {
                throw new ReleaseException(ReleaseErrorKind.Malformed, $"the node's reply is not valid: {e.Message}", SocketPath, inner: e);
            }
            yield return reply;
            if (reply.IsFinal) yield break;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/>, gives each journal line to <paramref name="journal"/>, and returns the final
    /// line (a result or an error: check <see cref="ControlReply.Kind"/>).
    /// </summary>
    public async Task<ControlReply> RunAsync(ControlRequest request, Action<ControlReply>? journal = null, CancellationToken cancellationToken = default)
    {
        await foreach (var reply in SendAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (reply.IsFinal) return reply;
            journal?.Invoke(reply);
        }
        throw Lost(null);
    }

    private ReleaseException Lost(Exception? inner) =>
        new(ReleaseErrorKind.ControlSocketUnavailable, $"the node on {SocketPath} closed the connection before its answer ended", SocketPath, inner: inner);
}
