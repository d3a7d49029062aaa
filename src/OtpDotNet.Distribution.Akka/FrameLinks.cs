using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Otp.Net.Distribution.Akka;

/// <summary>
/// The data path between Otp.Net nodes: one TCP connection from each node to each other node it sees up, carrying
/// length-prefixed frames (so frames from one node to another keep their order), while Akka.NET decides who is a
/// member and who is reachable. A node is reported up once its connection is established and Akka sees it reachable;
/// it is reported down when Akka sees it unreachable or removed, or when either connection between the two breaks
/// (frames may have been lost: as between Erlang nodes, a broken connection is a nodedown on both sides). Every call
/// to the listener is made under one lock, so that for each node, up, frames and down arrive in order.
/// </summary>
internal sealed class FrameLinks : IAsyncDisposable
{
    private const uint Magic = 0x4F54504E; // "OTPN"
    private const byte Version = 1;
    private const byte Accepted = 1;
    private const int ReadBufferBytes = 64 * 1024;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);
    private const long MaxEarlyBytes = 64L * 1024 * 1024;
    private const int FrameOverhead = 32; // what a kept frame costs beyond its bytes
    private const int MaxUnclaimed = 16;  // connections from nodes the membership has not named
    private const int MaxHandshaking = 64;
    private static readonly TimeSpan UnclaimedTimeout = TimeSpan.FromSeconds(60);

    private readonly object _deliver = new();
    private readonly ConcurrentDictionary<NodeIdentity, Link> _links = new();
    private readonly ConcurrentDictionary<NodeIdentity, byte> _gone = new();
    private readonly Socket _server;
    private readonly int _maxFrameBytes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _maxPendingBytes;
    private ICarrierListener? _listener;
    private int _handshaking;
    private NodeIdentity _self;

    private FrameLinks(Socket server, int maxFrameBytes)
    {
        _server = server;
        _maxFrameBytes = maxFrameBytes;
        _maxPendingBytes = Math.Max(64L * 1024 * 1024, 4L * maxFrameBytes);
    }

    /// <summary>The port this node accepts connections on.</summary>
    public int Port => ((IPEndPoint)_server.LocalEndPoint!).Port;

    /// <summary>Binds the listening socket (before the node's identity is known: its port is part of the membership).</summary>
    /// <exception cref="DistributionException">The address cannot be bound.</exception>
    public static FrameLinks Bind(string host, int port, int maxFrameBytes)
    {
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).FirstOrDefault()
            ?? throw new DistributionException($"the host '{host}' has no address");
        var server = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            server.Bind(new IPEndPoint(address, port));
            server.Listen(64);
        }
        catch (SocketException ex)
        {
            server.Dispose();
            throw new DistributionException($"cannot listen for frames on {host}:{port}: {ex.Message}", ex);
        }
        return new FrameLinks(server, maxFrameBytes);
    }

    /// <summary>Starts accepting connections for <paramref name="self"/>, reporting to <paramref name="listener"/>.</summary>
    public void Start(NodeIdentity self, ICarrierListener listener)
    {
        _self = self;
        _listener = listener;
        _ = AcceptLoopAsync();
    }

    /// <summary>Akka sees <paramref name="node"/> up and reachable at <paramref name="endpoint"/>: connect to it.</summary>
    public void Want(NodeIdentity node, EndPoint endpoint)
    {
        Link link;
        int attempt;
        lock (_deliver)
        {
            if (_gone.ContainsKey(node)) return;
            link = _links.GetOrAdd(node, n => new Link(n));
            link.Target = endpoint;
            if (link.Wanted) return;
            link.Wanted = true;
            attempt = link.NextAttempt();
        }
        _ = ConnectAsync(link, attempt);
    }

    /// <summary>Akka sees <paramref name="node"/> unreachable: it is down until it is reachable again.</summary>
    public void Unwant(NodeIdentity node)
    {
        lock (_deliver)
        {
            if (!_links.TryGetValue(node, out var link)) return;
            link.Wanted = false;
            link.NextAttempt();
            Break(link, null);
        }
    }

    /// <summary><paramref name="node"/> left the cluster or was downed: that incarnation never comes back.</summary>
    public void Forget(NodeIdentity node)
    {
        lock (_deliver)
        {
            _gone[node] = 0;
            if (!_links.TryRemove(node, out var link)) return;
            link.Wanted = false;
            link.NextAttempt();
            Break(link, null);
            link.Dispose();
        }
    }

    /// <summary>How many nodes this one keeps connection state for.</summary>
    internal int LinkCount => _links.Count;

    /// <summary>Breaks the connections with <paramref name="node"/>, as a network fault would.</summary>
    internal void Sever(NodeIdentity node)
    {
        if (!_links.TryGetValue(node, out var link)) return;
        lock (_deliver) Break(link, null);
    }

    /// <summary>Queues a frame for <paramref name="to"/>; dropped if that node is not up.</summary>
    public void Send(NodeIdentity to, ReadOnlySpan<byte> frame)
    {
        if (_links.TryGetValue(to, out var link)) link.Output.Enqueue(frame, this);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _server.Dispose();
        lock (_deliver)
        {
            foreach (var link in _links.Values)
            {
                link.Wanted = false;
                link.NextAttempt();
                Close(link);
            }
        }
    }

    // ---------------------------------------------------------------- connecting

    private async Task ConnectAsync(Link link, int attempt)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (!_stopping.IsCancellationRequested)
        {
            EndPoint target;
            CancellationToken abandoned;
            lock (_deliver)
            {
                if (!link.Wanted || link.Attempt != attempt || link.Up) return;
                target = link.Target!;
                abandoned = link.Abandoned;
            }
            Socket? socket = null;
            try
            {
                // A name resolves to IPv4 or IPv6: a dual-mode socket takes either.
                socket = target is DnsEndPoint ? new Socket(SocketType.Stream, ProtocolType.Tcp) : new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                socket.NoDelay = true;
                // An attempt given up (the node became unreachable, or a newer attempt started) stops where it is:
                // its connection must not reach the other node after a newer one did.
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, abandoned))
                {
                    timeout.CancelAfter(HandshakeTimeout);
                    await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
                    await socket.SendAsync(Handshake(_self, link.Identity), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    var ack = new byte[1];
                    if (await socket.ReceiveAsync(ack, SocketFlags.None, timeout.Token).ConfigureAwait(false) != 1 || ack[0] != Accepted)
                    {
                        throw new SocketException((int)SocketError.ConnectionRefused);
                    }
                }
                socket.Blocking = false;
                lock (_deliver)
                {
                    if (!link.Wanted || link.Attempt != attempt || link.Up)
                    {
                        socket.Dispose();
                        return;
                    }
                    link.Output.Open(socket, _maxPendingBytes);
                    link.Up = true;
                    // Frames the node sent before this one saw it up (it saw this one first), in their order.
                    var early = link.Early;
                    link.Early = null;
                    link.EarlyBytes = 0;
                    _ = WatchOutboundAsync(link, socket);
                    Report(Kind.Up, link.Identity);
                    if (early is not null)
                    {
                        foreach (var frame in early) Report(Kind.Frame, link.Identity, frame);
                    }
                }
                return;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                socket?.Dispose();
            }
            try
            {
                await Task.Delay(backoff, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    /// <summary>The outbound connection carries nothing back: a read that ends is the connection breaking.</summary>
    private async Task WatchOutboundAsync(Link link, Socket socket)
    {
        try
        {
            var sink = new byte[1];
            while (await socket.ReceiveAsync(sink, SocketFlags.None, _stopping.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        OutboundFailed(link, socket);
    }

    private void OutboundFailed(Link link, Socket socket)
    {
        lock (_deliver)
        {
            if (link.Output.Socket == socket) Break(link, null);
        }
    }

    private enum Kind
    {
        Up,
        Down,
        Frame,
    }

    /// <summary>
    /// Calls the listener (under <see cref="_deliver"/>), without a closure per frame. A listener that throws does
    /// not stop the links: the connection's state is already what it reports, and the next report goes on.
    /// </summary>
    private void Report(Kind kind, NodeIdentity node, ReadOnlyMemory<byte> frame = default)
    {
        try
        {
            switch (kind)
            {
                case Kind.Up:
                    _listener!.OnNodeUp(node);
                    break;
                case Kind.Down:
                    _listener!.OnNodeDown(node);
                    break;
                default:
                    _listener!.OnFrame(node, frame);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            System.Diagnostics.Trace.TraceError($"Otp.Net distribution: a carrier report threw {ex}");
        }
    }

    /// <summary>
    /// Ends the link's current session (under <see cref="_deliver"/>): both connections close, the node is reported
    /// down if it was up, and a new connection is tried while Akka still sees it reachable.
    /// </summary>
    private void Break(Link link, Socket? inbound)
    {
        if (inbound is not null && link.In != inbound) return;
        var wasUp = link.Up;
        Close(link);
        if (link.Wanted && !_stopping.IsCancellationRequested && _links.ContainsKey(link.Identity))
        {
            var attempt = link.NextAttempt();
            _ = Task.Run(() => ConnectAsync(link, attempt));
        }
        if (wasUp) Report(Kind.Down, link.Identity);
    }

    private static void Close(Link link)
    {
        link.Up = false;
        link.Output.Close();
        link.In?.Dispose();
        link.In = null;
        link.Early = null;
        link.EarlyBytes = 0;
    }

    // ---------------------------------------------------------------- accepting

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _server.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested) return;
                // Out of descriptors, or the like: try again shortly rather than spin.
                try
                {
                    await Task.Delay(100, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                continue;
            }
            if (Interlocked.Increment(ref _handshaking) > MaxHandshaking)
            {
                Interlocked.Decrement(ref _handshaking);
                socket.Dispose();
                continue;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Link? link = null;
        var handshaking = true;
        try
        {
            socket.NoDelay = true;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                timeout.CancelAfter(HandshakeTimeout);
                var (from, to) = await ReadHandshakeAsync(socket, timeout.Token).ConfigureAwait(false);
                if (to != _self || from == _self) return;
                lock (_deliver)
                {
                    if (_gone.ContainsKey(from)) return;
                    _links.TryGetValue(from, out link);
                    // A member this node sees unreachable stays down on both sides until it is reachable again.
                    if (link is { Target: not null, Wanted: false }) return;
                    if (link is null)
                    {
                        if (_links.Values.Count(l => l.Target is null) >= MaxUnclaimed) return;
                        link = _links.GetOrAdd(from, n => new Link(n));
                    }
                    // A node has one connection to this one: a new one means the earlier one broke.
                    if (link.In is not null) Break(link, link.In);
                    link.In = socket;
                }
                _ = ExpireUnclaimedAsync(link, socket);
                await socket.SendAsync(new[] { Accepted }, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            Interlocked.Decrement(ref _handshaking);
            handshaking = false;
            await ReadFramesAsync(link, socket).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or ObjectDisposedException or InvalidDataException)
        {
        }
        finally
        {
            if (link is not null)
            {
                lock (_deliver)
                {
                    Break(link, socket);
                    // A node the membership never named (a stale incarnation, or a stranger): nothing is kept for it.
                    if (link.Target is null && link.In is null && _links.TryRemove(new KeyValuePair<NodeIdentity, Link>(link.Identity, link))) link.Dispose();
                }
            }
            if (handshaking) Interlocked.Decrement(ref _handshaking);
            socket.Dispose();
        }
    }

    private async Task ReadFramesAsync(Link link, Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (read == 0) return;
                end += read;
                if (!DeliverAll(link, socket, buffer, ref start, end)) return;
                if (start == end)
                {
                    start = end = 0;
                    if (buffer.Length > ReadBufferBytes)
                    {
                        // A large frame's buffer is not kept.
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
                    }
                    continue;
                }
                var pending = end - start;
                var needed = pending >= 4 ? 4 + BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start)) : 4;
                if (needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(needed);
                    buffer.AsSpan(start, pending).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, pending).CopyTo(buffer);
                }
                start = 0;
                end = pending;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Delivers every complete frame in <paramref name="buffer"/>, under the listener's lock; false when the connection
    /// is no longer the node's. Frames from a node not up here yet (it saw this node first) are kept, in order, until it
    /// is, up to <see cref="MaxEarlyBytes"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A frame over the size limit, or too many early ones: the connection is broken.</exception>
    private bool DeliverAll(Link link, Socket socket, byte[] buffer, ref int start, int end)
    {
        lock (_deliver)
        {
            if (link.In != socket) return false;
            while (end - start >= 4)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start));
                if (length < 0 || length > _maxFrameBytes) throw new InvalidDataException($"a frame of {length} bytes from {link.Identity}");
                if (end - start - 4 < length) return true;
                var frame = buffer.AsMemory(start + 4, length);
                if (link.Up)
                {
                    Report(Kind.Frame, link.Identity, frame);
                }
                else
                {
                    link.EarlyBytes += length + FrameOverhead;
                    if (link.EarlyBytes > MaxEarlyBytes) throw new InvalidDataException($"more than {MaxEarlyBytes} bytes from {link.Identity} before it was up");
                    (link.Early ??= []).Add(frame.ToArray());
                }
                start += 4 + length;
            }
            return true;
        }
    }

    /// <summary>A connection from a node that does not come up within <see cref="UnclaimedTimeout"/> is closed.</summary>
    private async Task ExpireUnclaimedAsync(Link link, Socket socket)
    {
        try
        {
            await Task.Delay(UnclaimedTimeout, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_deliver)
        {
            if (!link.Up && link.In == socket) Break(link, socket);
        }
    }

    // ---------------------------------------------------------------- handshake

    /// <summary>The first bytes of a connection from <paramref name="from"/> to <paramref name="to"/>.</summary>
    internal static byte[] Handshake(NodeIdentity from, NodeIdentity to)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var head = buffer.GetSpan(5);
        BinaryPrimitives.WriteUInt32LittleEndian(head, Magic);
        head[4] = Version;
        buffer.Advance(5);
        WriteIdentity(buffer, from);
        WriteIdentity(buffer, to);
        var body = buffer.WrittenSpan.ToArray();
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(framed, body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    private static void WriteIdentity(ArrayBufferWriter<byte> buffer, NodeIdentity node)
    {
        var name = Encoding.UTF8.GetBytes(node.Name);
        var span = buffer.GetSpan(2 + name.Length + 8);
        BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)name.Length));
        name.CopyTo(span[2..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[(2 + name.Length)..], node.Creation);
        buffer.Advance(2 + name.Length + 8);
    }

    private static async Task<(NodeIdentity From, NodeIdentity To)> ReadHandshakeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = new byte[4];
        await ReceiveExactlyAsync(socket, head, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadInt32LittleEndian(head);
        if (length is < 5 or > 4096) throw new InvalidDataException("not an Otp.Net handshake");
        var body = new byte[length];
        await ReceiveExactlyAsync(socket, body, cancellationToken).ConfigureAwait(false);
        if (BinaryPrimitives.ReadUInt32LittleEndian(body) != Magic || body[4] != Version) throw new InvalidDataException("not an Otp.Net handshake");
        var at = 5;
        var from = ReadIdentity(body, ref at);
        var to = ReadIdentity(body, ref at);
        return (from, to);
    }

    private static NodeIdentity ReadIdentity(byte[] body, ref int at)
    {
        if (body.Length - at < 2) throw new InvalidDataException("a truncated handshake");
        var length = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(at));
        at += 2;
        if (body.Length - at < length + 8) throw new InvalidDataException("a truncated handshake");
        var name = Encoding.UTF8.GetString(body, at, length);
        at += length;
        var creation = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(at));
        at += 8;
        return new NodeIdentity(name, creation);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new IOException("the connection closed during the handshake");
            buffer = buffer[read..];
        }
    }

    // ---------------------------------------------------------------- links

    private sealed class Link : IDisposable
    {
        public Link(NodeIdentity identity)
        {
            Identity = identity;
            Output = new Output(this);
        }

        public NodeIdentity Identity { get; }

        /// <summary>Where the node accepts connections (from its membership).</summary>
        public EndPoint? Target { get; set; }

        /// <summary>Akka sees the node as a reachable member.</summary>
        public bool Wanted { get; set; }

        private CancellationTokenSource _attempt = new();

        /// <summary>Bumped whenever the link's connecting should start over: a connection attempt of another number gives up.</summary>
        public int Attempt { get; private set; }

        /// <summary>Cancelled when the current attempt is given up.</summary>
        public CancellationToken Abandoned => _attempt.Token;

        /// <summary>Gives up the current connection attempt (called under the delivery lock); returns the next one's number.</summary>
        public int NextAttempt()
        {
            _attempt.Cancel();
            _attempt.Dispose();
            _attempt = new CancellationTokenSource();
            return ++Attempt;
        }

        public void Dispose() => _attempt.Dispose();

        /// <summary>Reported up to the listener.</summary>
        public bool Up { get; set; }

        /// <summary>The node's connection to this one, which carries its frames.</summary>
        public Socket? In { get; set; }

        public Output Output { get; }

        /// <summary>Frames that arrived before the node was up here, and their size.</summary>
        public List<byte[]>? Early { get; set; }

        public long EarlyBytes { get; set; }
    }

    /// <summary>
    /// A link's outgoing frames. A sender appends its frame to the pending batch; the first sender to find no write in
    /// progress writes the batch itself, without blocking (frames queued meanwhile go in the next write), and a write
    /// the socket cannot take at once continues on the thread pool.
    /// </summary>
    private sealed class Output(Link owner)
    {
        private const int KeptBufferBytes = 1024 * 1024;
        private readonly object _gate = new();
        private Session? _session;

        public Socket? Socket
        {
            get
            {
                lock (_gate) return _session?.Socket;
            }
        }

        public void Open(Socket socket, long maxPendingBytes)
        {
            lock (_gate) _session = new Session(socket, maxPendingBytes);
        }

        public void Close()
        {
            Session? session;
            lock (_gate)
            {
                session = _session;
                _session = null;
            }
            session?.Socket.Dispose();
        }

        public void Enqueue(ReadOnlySpan<byte> frame, FrameLinks links)
        {
            Session session;
            bool overflow;
            lock (_gate)
            {
                if (_session is null || _session.Overflowed) return;
                session = _session;
                overflow = session.Pending.WrittenCount + 4L + frame.Length > session.MaxPendingBytes;
                if (overflow)
                {
                    // The other node has not taken what was sent for too long: the connection is given up (a
                    // nodedown on both sides, below, outside the lock) rather than let the queue grow without bound.
                    session.Overflowed = true;
                }
                else
                {
                    var span = session.Pending.GetSpan(4 + frame.Length);
                    BinaryPrimitives.WriteInt32LittleEndian(span, frame.Length);
                    frame.CopyTo(span[4..]);
                    session.Pending.Advance(4 + frame.Length);
                    if (session.Writing) return;
                    session.Writing = true;
                    (session.Pending, session.Sending) = (session.Sending, session.Pending);
                }
            }
            if (overflow) Failed(session, links);
            else WriteInline(session, links);
        }

        private void WriteInline(Session session, FrameLinks links)
        {
            var data = session.Sending.WrittenMemory;
            int sent;
            try
            {
                sent = session.Socket.Send(data.Span, SocketFlags.None, out var error);
                if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Failed(session, links);
                return;
            }
            ReadOnlyMemory<byte> rest;
            if (sent < data.Length) rest = data[sent..];
            else if (TryFinish(session)) return;
            else rest = session.Sending.WrittenMemory;
            // The rest is written from the thread pool: the sender goes back to its own work.
            _ = Task.Run(() => ContinueAsync(session, rest, links));
        }

        /// <summary>Writes what is left of the batch being sent, then every batch queued meanwhile, until none is.</summary>
        private async Task ContinueAsync(Session session, ReadOnlyMemory<byte> rest, FrameLinks links)
        {
            try
            {
                while (true)
                {
                    if (rest.Length > 0) await session.Socket.SendAsync(rest, SocketFlags.None).ConfigureAwait(false);
                    if (TryFinish(session)) return;
                    rest = session.Sending.WrittenMemory;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Failed(session, links);
            }
        }

        /// <summary>Ends the write when nothing more is queued; otherwise takes the next batch.</summary>
        private bool TryFinish(Session session)
        {
            lock (_gate)
            {
                if (session.Sending.Capacity > KeptBufferBytes) session.Sending = new ArrayBufferWriter<byte>(4096);
                else session.Sending.ResetWrittenCount();
                if (_session != session || session.Pending.WrittenCount == 0)
                {
                    session.Writing = false;
                    return true;
                }
                (session.Pending, session.Sending) = (session.Sending, session.Pending);
                return false;
            }
        }

        /// <summary>A write failed: the link breaks, from the thread pool (never inside a listener call of the sender).</summary>
        private void Failed(Session session, FrameLinks links) =>
            ThreadPool.QueueUserWorkItem(static s => s.links.OutboundFailed(s.owner, s.socket), (links, owner, socket: session.Socket), preferLocal: false);

        private sealed class Session(Socket socket, long maxPendingBytes)
        {
            public Socket Socket { get; } = socket;

            public long MaxPendingBytes { get; } = maxPendingBytes;

            public bool Overflowed { get; set; }

            public ArrayBufferWriter<byte> Pending { get; set; } = new(4096);

            public ArrayBufferWriter<byte> Sending { get; set; } = new(4096);

            public bool Writing { get; set; }
        }
    }
}
