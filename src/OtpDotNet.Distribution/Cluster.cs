using System.Buffers;
using System.Collections.Concurrent;
using MessagePack;
using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary>
/// A node's distribution: what makes its pids, links, monitors, names and calls work across nodes. Started once per
/// node with <see cref="StartAsync"/>, on a carrier (Akka.NET Cluster, or in memory for tests); disposed with the node.
/// </summary>
public sealed partial class Cluster : IDistribution, IRemoteRequests, ICarrierListener, IAsyncDisposable
{
    private static readonly Atom NodeDownAtom = Atom.Of("nodedown");
    private static readonly Atom BadReplyAtom = Atom.Of("bad_reply");

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly Node _node;
    private readonly IDistributionCarrier _carrier;
    private readonly DistributionOptions _options;
    private readonly TermCodec _codec;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<NodeIdentity, RemoteNode> _known = new();
    private readonly ConcurrentDictionary<string, int> _indexes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NodeIdentity> _connected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingRequest> _requests = new();
    private readonly ConcurrentDictionary<CallReply, long> _requestIds = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<(NodeIdentity Node, Ref Ref), LocalProcess> _watchedFromAfar = new();
    private readonly object _watchersGate = new();
    private readonly Dictionary<string, List<LocalProcess>> _nodeWatchers = new(StringComparer.Ordinal);
    private readonly List<LocalProcess> _allNodesWatchers = [];
    private readonly ConcurrentDictionary<string, IClusterService> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<NodeIdentity, byte> _seenDown = new();
    private readonly ConcurrentDictionary<string, Func<ProcessContext, object?, Task>> _spawnables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, PendingSpawn> _spawns = new();
    private readonly object _startGate = new();
    private List<Action>? _early = [];
    private long _nextRequest;
    private int _disposed;

    private Cluster(Node node, IDistributionCarrier carrier, DistributionOptions options)
    {
        _node = node;
        _carrier = carrier;
        _options = options;
        _codec = new TermCodec(this, options.Messages);
        _logger = node.LoggerFactory.CreateLogger(DistributionLog.Category);
    }

    /// <summary>
    /// Makes <paramref name="node"/> distributed: joins the cluster through <paramref name="carrier"/> under
    /// <see cref="DistributionOptions.NodeName"/>. From then on its pids carry its name and creation.
    /// </summary>
    /// <exception cref="DistributionException">The options are unusable, the node is already distributed, or the carrier failed to start.</exception>
    public static async Task<Cluster> StartAsync(Node node, DistributionOptions options, IDistributionCarrier carrier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(carrier);
        options.Validate();
        var cluster = new Cluster(node, carrier, options);
        lock (node)
        {
            if (node.Distribution is not null) throw new DistributionException($"the node is already distributed as {node.Identity}");
            node.Distribution = cluster;
        }
        cluster.Global = new GlobalNames(cluster);
        cluster.Groups = new ProcessGroups(cluster);
        cluster.Register(cluster.Global);
        cluster.Register(cluster.Groups);
        try
        {
            cluster.Self = await carrier.StartAsync(options.NodeName, cluster, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not DistributionException)
        {
            lock (node) node.Distribution = null;
            throw new DistributionException($"the carrier could not start node {options.NodeName}: {ex.Message}", ex);
        }
        catch
        {
            lock (node) node.Distribution = null;
            throw;
        }
        cluster.ReplayEarlyEvents();
        DistributionLog.Started(cluster._logger, cluster.Self.ToString());
        return cluster;
    }

    /// <summary>The distribution of <paramref name="node"/>.</summary>
    /// <exception cref="DistributionException">The node is not distributed.</exception>
    public static Cluster Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Distribution as Cluster ?? throw new DistributionException("the node is not distributed: start it with Cluster.StartAsync");
    }

    /// <summary>This node's name and creation.</summary>
    public NodeIdentity Self { get; private set; } = NodeIdentity.Local;

    /// <summary>The node this distribution belongs to.</summary>
    public Node Node => _node;

    Node IRemoteRequests.LocalNode => _node;

    /// <summary>The names of the other nodes connected now (Erlang's <c>nodes()</c>).</summary>
    public IReadOnlyList<string> Nodes => _connected.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The cluster-wide name registry (Erlang's <c>global</c>).</summary>
    public GlobalNames Global { get; private set; } = null!;

    /// <summary>Process groups (Erlang's <c>pg</c>, default scope).</summary>
    public ProcessGroups Groups { get; private set; } = null!;

    /// <summary>
    /// Raised when a node connects, on the carrier's thread: keep it short, and never wait there for another node (its
    /// answer would be delivered on that same thread). A handler that throws is logged (EventId 8005).
    /// </summary>
    public event Action<NodeIdentity>? NodeConnected;

    /// <summary>
    /// Raised when a node goes down, after its links, monitors and calls have fired; on the carrier's thread, as
    /// <see cref="NodeConnected"/>.
    /// </summary>
    public event Action<NodeIdentity>? NodeDisconnected;

    /// <summary>True when <paramref name="node"/> names this node.</summary>
    public bool IsSelf(string node) => node == Self.Name;

    /// <summary>True when <paramref name="node"/> is connected now.</summary>
    public bool IsConnected(string node) => _connected.ContainsKey(node);

    // ---------------------------------------------------------------- pids

    /// <summary>The pid of process <paramref name="id"/> of the incarnation <paramref name="node"/>.</summary>
    internal Pid PidOf(NodeIdentity node, long id)
    {
        if (node == Self && _node.FindProcess(id) is { } local) return local;
        return new Pid(new RemotePid(Intern(node), id));
    }

    private RemoteNode Intern(NodeIdentity identity) =>
        _known.GetOrAdd(identity, static (id, self) => new RemoteNode(id, self._indexes.GetOrAdd(id.Name, _ => self._indexes.Count + 1), self), this);

    /// <summary>Where a signal toward <paramref name="node"/> goes: connected, the node's earlier incarnation (noproc), or not connected.</summary>
    private Route RouteTo(NodeIdentity node)
    {
        if (node.Name == Self.Name) return node == Self ? Route.Self : Route.Stale;
        if (!_connected.TryGetValue(node.Name, out var current)) return Route.Down;
        return current == node ? Route.Up : Route.Stale;
    }

    private enum Route
    {
        Up,
        Down,
        Stale,
        Self,
    }

    // ---------------------------------------------------------------- IDistribution: from local processes

    void IDistribution.Send(LocalProcess? from, RemotePid to, object message)
    {
        var node = to.Node.Identity;
        var route = RouteTo(node);
        if (route == Route.Self)
        {
            // A pid of this node's process that had ended when the pid arrived: nothing to deliver to.
            _node.FindProcess(to.Id)?.Process?.DeliverFrom(from, message);
            return;
        }
        var buffer = Begin(out var w);
        w.WriteArrayHeader(3);
        w.Write((int)FrameKind.Send);
        w.Write(to.Id);
        _codec.Write(ref w, TracedMessage.Unwrap(message));
        // Encoded first: an unserializable message is an error for the sender even toward a node that is down.
        if (route == Route.Up) Emit(node, buffer, ref w);
        else Discard(buffer);
    }

    /// <summary>
    /// <c>{Name, Node} ! Message</c>: dropped when the node is not connected or the name is not registered there (X4).
    /// </summary>
    /// <exception cref="MessageNotSerializableException">The message cannot cross nodes; nothing was sent.</exception>
    public void SendNamed(string name, string node, object message)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(message);
        if (IsSelf(node))
        {
            if (_node.WhereIs(name) is { } local) _node.Send(local, message);
            return;
        }
        var buffer = Begin(out var w);
        w.WriteArrayHeader(3);
        w.Write((int)FrameKind.SendNamed);
        w.Write(name);
        _codec.Write(ref w, message);
        if (_connected.TryGetValue(node, out var identity)) Emit(identity, buffer, ref w);
        else Discard(buffer);
    }

    void IDistribution.Link(LocalProcess from, RemotePid to)
    {
        var node = to.Node.Identity;
        switch (RouteTo(node))
        {
            case Route.Up:
                var buffer = Begin(out var w);
                w.WriteArrayHeader(3);
                w.Write((int)FrameKind.Link);
                _codec.Write(ref w, from.Self);
                w.Write(to.Id);
                Emit(node, buffer, ref w);
                break;
            case Route.Down:
                from.OnRemoteLinkExit(to, ExitReason.NoConnection); // X7
                break;
            default:
                from.OnRemoteLinkExit(to, ExitReason.NoProc); // X9
                break;
        }
    }

    void IDistribution.Unlink(LocalProcess from, RemotePid to)
    {
        var node = to.Node.Identity;
        if (RouteTo(node) != Route.Up) return;
        var buffer = Begin(out var w);
        w.WriteArrayHeader(3);
        w.Write((int)FrameKind.Unlink);
        _codec.Write(ref w, from.Self);
        w.Write(to.Id);
        Emit(node, buffer, ref w);
    }

    void IDistribution.ExitSignal(Pid from, RemotePid to, ExitReason reason, bool viaLink)
    {
        var node = to.Node.Identity;
        if (RouteTo(node) != Route.Up) return;
        var buffer = Begin(out var w);
        w.WriteArrayHeader(4);
        w.Write((int)(viaLink ? FrameKind.LinkExit : FrameKind.Exit));
        _codec.Write(ref w, from);
        w.Write(to.Id);
        WriteReason(ref w, reason);
        Emit(node, buffer, ref w);
    }

    void IDistribution.Monitor(LocalProcess watcher, Ref monitorRef, RemoteMonitor monitor)
    {
        NodeIdentity node;
        Route route;
        if (monitor.Pid is { } pid)
        {
            node = pid.Node.Identity;
            route = RouteTo(node);
        }
        else if (_connected.TryGetValue(monitor.NodeName, out node))
        {
            route = Route.Up;
        }
        else
        {
            route = Route.Down;
        }
        if (route != Route.Up)
        {
            // X2 (a node that is not connected), X9 (an earlier incarnation, or a process of this node that has ended).
            watcher.OnRemoteDown(monitorRef, route == Route.Down ? ExitReason.NoConnection : ExitReason.NoProc);
            return;
        }
        var buffer = Begin(out var w);
        w.WriteArrayHeader(4);
        if (monitor.Pid is { } target)
        {
            w.Write((int)FrameKind.Monitor);
            _codec.Write(ref w, watcher.Self);
            w.Write(target.Id);
        }
        else
        {
            w.Write((int)FrameKind.MonitorNamed);
            _codec.Write(ref w, watcher.Self);
            w.Write(monitor.Name);
        }
        _codec.Write(ref w, monitorRef);
        Emit(node, buffer, ref w);
    }

    void IDistribution.Demonitor(Pid watcher, Ref monitorRef, RemoteMonitor monitor)
    {
        var name = monitor.Pid?.Node.Identity.Name ?? monitor.NodeName;
        if (!_connected.TryGetValue(name, out var node)) return;
        var buffer = Begin(out var w);
        w.WriteArrayHeader(2);
        w.Write((int)FrameKind.Demonitor);
        _codec.Write(ref w, monitorRef);
        Emit(node, buffer, ref w);
    }

    void IRemoteRequests.StartRequest(LocalProcess? caller, ServerRef server, object envelope, CallReply sink)
    {
        NodeIdentity node;
        Route route;
        if (server.Pid.Remote is { } pid)
        {
            node = pid.Node.Identity;
            route = RouteTo(node);
        }
        else
        {
            route = _connected.TryGetValue(server.NodeName!, out node) ? Route.Up : Route.Down;
            if (route == Route.Down) node = new NodeIdentity(server.NodeName!, 0);
        }
        if (route != Route.Up)
        {
            sink.OnProcessDown(route == Route.Down ? NodeDownReason(node.Name) : ExitReason.NoProc);
            return;
        }
        var id = Interlocked.Increment(ref _nextRequest);
        _requests[id] = new PendingRequest(sink, node);
        _requestIds[sink] = id;
        var buffer = Begin(out var w);
        try
        {
            w.WriteArrayHeader(9);
            w.Write((int)FrameKind.Request);
            _codec.Write(ref w, sink.Caller);
            w.Write(id);
            WriteTarget(ref w, server);
            switch (envelope)
            {
                case CallRequest call:
                    w.Write(-1);
                    _codec.Write(ref w, call.Request);
                    w.WriteNil();
                    w.WriteNil();
                    break;
                case SystemRequest sys:
                    w.Write((int)sys.Op);
                    _codec.Write(ref w, sys.Arg);
                    _codec.Write(ref w, sys.Arg2);
                    _codec.Write(ref w, sys.Arg3);
                    break;
                default:
                    throw new MessageNotSerializableException($"{envelope.GetType().Name} is not a request another node serves");
            }
        }
        catch
        {
            Discard(buffer);
            ForgetRequest(sink);
            throw;
        }
        Emit(node, buffer, ref w);
        // The node may have gone down between the check and the registration: then its down has failed the request,
        // or this does.
        if (RouteTo(node) != Route.Up && _requests.TryRemove(id, out _)) sink.OnProcessDown(NodeDownReason(node.Name));
    }

    void IRemoteRequests.EndRequest(CallReply sink) => ForgetRequest(sink);

    private void ForgetRequest(CallReply sink)
    {
        if (_requestIds.TryRemove(sink, out var id)) _requests.TryRemove(id, out _);
    }

    void IRemoteRequests.Cast(LocalProcess? caller, ServerRef server, object request)
    {
        NodeIdentity node;
        if (server.Pid.Remote is { } pid)
        {
            node = pid.Node.Identity;
            if (RouteTo(node) != Route.Up) node = default;
        }
        else if (!_connected.TryGetValue(server.NodeName!, out node))
        {
            node = default;
        }
        var buffer = Begin(out var w);
        w.WriteArrayHeader(5);
        w.Write((int)FrameKind.Cast);
        WriteTarget(ref w, server);
        _codec.Write(ref w, request);
        // A cast to a node that is down is dropped, as a cast to a dead pid is (G8); the request is checked all the same.
        if (node.Name is not null) Emit(node, buffer, ref w);
        else Discard(buffer);
    }

    private static ExitReason NodeDownReason(string node) => ExitReason.Of(TermTuple.Of(NodeDownAtom, Atom.Of(node)));

    private void WriteTarget(ref MessagePackWriter w, ServerRef server)
    {
        if (server.Pid.Remote is { } pid)
        {
            w.Write(pid.Id);
            w.WriteNil();
        }
        else
        {
            w.WriteNil();
            w.Write(server.Name);
        }
    }

    /// <summary>An exit reason toward another node; one it cannot carry goes as its printed form, never as a failure.</summary>
    private void WriteReason(ref MessagePackWriter w, ExitReason reason)
    {
        var probe = new ArrayBufferWriter<byte>();
        var pw = new MessagePackWriter(probe);
        try
        {
            _codec.Write(ref pw, reason);
            pw.Flush();
        }
        catch (MessageNotSerializableException)
        {
            _codec.Write(ref w, ExitReason.Of(TermFormatter.Format(reason.Term)));
            return;
        }
        w.WriteRaw(probe.WrittenSpan);
    }

    // ---------------------------------------------------------------- remote spawn

    /// <summary>
    /// Makes <paramref name="body"/> spawnable by other nodes under <paramref name="name"/> (OTP spawns a module's
    /// function by name; .NET code is not sent between nodes, so a node lists what it lets others start).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is taken, or starts with <c>$</c>.</exception>
    public void RegisterSpawnable(string name, Func<ProcessContext, object?, Task> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(body);
        if (name.StartsWith('$')) throw new ArgumentException("names starting with $ are reserved", nameof(name));
        if (!_spawnables.TryAdd(name, body)) throw new ArgumentException($"'{name}' is already spawnable", nameof(name));
    }

    /// <summary>
    /// <c>spawn(Node, Fun)</c> with a spawnable registered on <paramref name="node"/>
    /// (<see cref="RegisterSpawnable"/>), given <paramref name="arg"/>; with <paramref name="link"/>, the calling
    /// process is linked to it (<c>spawn_link</c>). Toward a node that is not connected, a linking caller gets a pid and
    /// the exit signal <c>noconnection</c> at once (X7); otherwise a <see cref="DistributionException"/>.
    /// </summary>
    /// <exception cref="DistributionException">The node is not connected, or has no such spawnable.</exception>
    /// <exception cref="MessageNotSerializableException"><paramref name="arg"/> cannot cross nodes.</exception>
    public Task<Pid> SpawnAsync(string node, string name, object? arg = null, bool link = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return SpawnCoreAsync(node, name, arg, link, cancellationToken);
    }

    /// <summary>
    /// Starts the GenServer module <paramref name="module"/> (loaded in that node's code server) on
    /// <paramref name="node"/>, with <paramref name="args"/>: the pid, or a <see cref="DistributionException"/> with the
    /// start's failure.
    /// </summary>
    public Task<Pid> StartGenServerAsync(string node, string module, object? args = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        return SpawnCoreAsync(node, "$gen_server:" + module, args, link: false, cancellationToken);
    }

    private async Task<Pid> SpawnCoreAsync(string node, string name, object? arg, bool link, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        var caller = ProcessContext.CurrentProcess;
        if (link && caller is null) throw new InvalidOperationException("spawn_link needs a calling process");
        if (!_connected.TryGetValue(node, out var identity))
        {
            if (!link) throw new DistributionException($"node {node} is not connected");
            // X7: a pid all the same, and noconnection at once.
            var nowhere = new RemotePid(Intern(new NodeIdentity(node, 0)), 0);
            caller!.AddRemoteLink(nowhere);
            caller.OnRemoteLinkExit(nowhere, ExitReason.NoConnection);
            return new Pid(nowhere);
        }
        var id = Interlocked.Increment(ref _nextRequest);
        var pending = new PendingSpawn(identity, link ? caller : null);
        _spawns[id] = pending;
        try
        {
            var buffer = Begin(out var w);
            try
            {
                w.WriteArrayHeader(6);
                w.Write((int)FrameKind.Spawn);
                _codec.Write(ref w, caller?.Self ?? default);
                w.Write(id);
                w.Write(name);
                _codec.Write(ref w, arg);
                w.Write(link);
            }
            catch
            {
                Discard(buffer);
                throw;
            }
            // A link is a flag of the spawn: the new process is linked before it runs.
            Emit(identity, buffer, ref w);
            if (RouteTo(identity) != Route.Up) pending.Result.TrySetException(new DistributionException($"node {node} went down"));
            return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _spawns.TryRemove(id, out _);
        }
    }

    private void ServeSpawn(NodeIdentity from, ref MessagePackReader r)
    {
        var requester = _codec.Read(ref r) is Pid p ? p : default;
        var id = r.ReadInt64();
        var name = r.ReadString() ?? "";
        var arg = _codec.Read(ref r);
        var link = r.ReadBoolean();
        if (name.StartsWith("$gen_server:", StringComparison.Ordinal))
        {
            _ = StartModuleAsync(from, id, name["$gen_server:".Length..], arg);
            return;
        }
        if (!_spawnables.TryGetValue(name, out var body))
        {
            SendSpawned(from, id, default, $"no spawnable '{name}' on {Self.Name}");
            return;
        }
        var pid = _node.Spawn(ctx => body(ctx, arg), new SpawnOptions { StartSuspended = true });
        // The requester's side of a link is recorded when the reply arrives, before any later frame from here.
        if (link && requester.Remote is { } linker && pid.Process is { } process) process.AddRemoteLink(linker);
        SendSpawned(from, id, pid, null);
        _node.StartSuspended(pid);
    }

    private async Task StartModuleAsync(NodeIdentity from, long id, string module, object? args)
    {
        try
        {
            var started = await _node.Code.StartGenServerAsync(module, args).ConfigureAwait(false);
            if (started.IsOk) SendSpawned(from, id, started.Pid, null);
            else SendSpawned(from, id, default, $"{module} did not start on {Self.Name}: {started}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SendSpawned(from, id, default, $"{module} did not start on {Self.Name}: {ex.Message}");
        }
    }

    private void SendSpawned(NodeIdentity to, long id, Pid pid, string? error)
    {
        var buffer = Begin(out var w);
        w.WriteArrayHeader(4);
        w.Write((int)FrameKind.Spawned);
        w.Write(id);
        _codec.Write(ref w, pid);
        if (error is null) w.WriteNil();
        else w.Write(error);
        Emit(to, buffer, ref w);
    }

    private void OnSpawned(ref MessagePackReader r)
    {
        var id = r.ReadInt64();
        var pid = _codec.Read(ref r) is Pid p ? p : default;
        var error = r.TryReadNil() ? null : r.ReadString();
        if (!_spawns.TryGetValue(id, out var pending)) return;
        if (error is not null)
        {
            pending.Result.TrySetException(new DistributionException(error));
            return;
        }
        // spawn_link: this side of the link, before any later frame (the new process's exit) is read.
        if (pending.Linker is { } linker && pid.Remote is { } remote && !linker.AddRemoteLink(remote))
        {
            // The caller died meanwhile: its exit must reach the new process.
            ((IDistribution)this).ExitSignal(linker.Self, remote, linker.ExitReason ?? ExitReason.NoProc, viaLink: true);
        }
        pending.Result.TrySetResult(pid);
    }

    private sealed record PendingSpawn(NodeIdentity Node, LocalProcess? Linker)
    {
        public TaskCompletionSource<Pid> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // ---------------------------------------------------------------- node monitors

    /// <summary>
    /// <c>monitor_node(Node, true)</c> for <paramref name="watcher"/>: a <see cref="NodeDown"/> when the node goes down,
    /// at once if it is not connected (X3). Each call adds one monitor.
    /// </summary>
    public void MonitorNode(Pid watcher, string node)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        if (watcher.Process is not { } process) throw new ArgumentException("a node monitor is held by a process of this node", nameof(watcher));
        if (IsSelf(node)) return;
        lock (_watchersGate)
        {
            if (_connected.ContainsKey(node))
            {
                if (!_nodeWatchers.TryGetValue(node, out var list)) _nodeWatchers[node] = list = [];
                list.Add(process);
                return;
            }
        }
        process.Deliver(new NodeDown(node));
    }

    /// <summary><c>monitor_node(Node, false)</c>: removes one of <paramref name="watcher"/>'s monitors of <paramref name="node"/>.</summary>
    public void DemonitorNode(Pid watcher, string node)
    {
        if (watcher.Process is not { } process) return;
        lock (_watchersGate)
        {
            if (_nodeWatchers.TryGetValue(node, out var list)) list.Remove(process);
        }
    }

    /// <summary>
    /// <c>net_kernel:monitor_nodes(Flag)</c>: <paramref name="watcher"/> gets a <see cref="NodeUp"/> and a
    /// <see cref="NodeDown"/> for every node that connects or goes down, until it exits or turns it off.
    /// </summary>
    public void MonitorNodes(Pid watcher, bool on = true)
    {
        if (watcher.Process is not { } process) throw new ArgumentException("a node monitor is held by a process of this node", nameof(watcher));
        lock (_watchersGate)
        {
            _allNodesWatchers.RemoveAll(p => !p.IsAlive);
            if (on) _allNodesWatchers.Add(process);
            else _allNodesWatchers.Remove(process);
        }
    }

    // ---------------------------------------------------------------- carrier events

    /// <summary>
    /// A carrier may report nodes and frames while it is still starting, before this node knows its own creation:
    /// those events are kept and replayed, in order, once it does.
    /// </summary>
    private bool DeferredWhileStarting(Action later)
    {
        if (Volatile.Read(ref _early) is null) return false;
        lock (_startGate)
        {
            if (_early is null) return false;
            _early.Add(later);
            return true;
        }
    }

    private void ReplayEarlyEvents()
    {
        lock (_startGate)
        {
            foreach (var e in _early!) e();
            Volatile.Write(ref _early, null);
        }
    }

    void ICarrierListener.OnNodeUp(NodeIdentity node)
    {
        if (!DeferredWhileStarting(() => NodeUp(node))) NodeUp(node);
    }

    private void NodeUp(NodeIdentity node)
    {
        if (node.Name == Self.Name) return;
        if (_connected.TryGetValue(node.Name, out var previous))
        {
            if (previous == node) return;
            // The node restarted before its down was seen: the earlier incarnation is down first.
            NodeGone(previous);
        }
        _connected[node.Name] = node;
        Intern(node);
        DistributionLog.NodeUp(_logger, node.ToString());
        if (_seenDown.TryRemove(node, out _))
        {
            // This incarnation was down here and is back (it was unreachable for a while). It may not have seen this
            // node go down: it is told to, so that links and monitors between the two are gone on both sides, as
            // when a connection between Erlang nodes breaks.
            SendReconnect(node);
        }
        LocalProcess[] watchers;
        lock (_watchersGate) watchers = _allNodesWatchers.ToArray();
        foreach (var w in watchers) w.Deliver(new NodeUp(node.Name));
        foreach (var service in _services.Values) service.OnNodeUp(node);
        Raise(NodeConnected, node, nameof(NodeConnected));
    }

    void ICarrierListener.OnNodeDown(NodeIdentity node)
    {
        if (DeferredWhileStarting(() => NodeDownReported(node))) return;
        NodeDownReported(node);
    }

    private void NodeDownReported(NodeIdentity node)
    {
        if (!_connected.TryGetValue(node.Name, out var current) || current != node) return;
        NodeGone(node);
    }

    private void NodeGone(NodeIdentity node)
    {
        if (!_connected.TryRemove(new KeyValuePair<string, NodeIdentity>(node.Name, node))) return;
        _seenDown[node] = 0;
        DistributionLog.NodeDown(_logger, node.ToString());
        var remote = Intern(node);
        // Names and groups first: whoever is told of the down finds the node's names released and its members gone.
        foreach (var service in _services.Values) service.OnNodeDown(node);
        // X6: every call waiting on a server there fails with {nodedown, Node}.
        foreach (var (id, pending) in _requests)
        {
            if (pending.Node == node && _requests.TryRemove(id, out _)) pending.Sink.OnProcessDown(NodeDownReason(node.Name));
        }
        foreach (var spawn in _spawns.Values)
        {
            if (spawn.Node == node) spawn.Result.TrySetException(new DistributionException($"node {node.Name} went down"));
        }
        foreach (var key in _watchedFromAfar.Keys)
        {
            if (key.Node == node) _watchedFromAfar.TryRemove(key, out _);
        }
        // X1, X2: links and monitors toward the node.
        foreach (var process in _node.LiveProcesses) process.OnNodeDown(remote);
        LocalProcess[] watchers;
        LocalProcess[] all;
        lock (_watchersGate)
        {
            watchers = _nodeWatchers.Remove(node.Name, out var list) ? list.ToArray() : [];
            all = _allNodesWatchers.ToArray();
        }
        foreach (var w in watchers) w.Deliver(new NodeDown(node.Name)); // X3
        foreach (var w in all) w.Deliver(new NodeDown(node.Name));
        Raise(NodeDisconnected, node, nameof(NodeDisconnected));
    }

    /// <summary>Calls each handler of a node event; one that throws is logged, and the others and the node go on.</summary>
    private void Raise(Action<NodeIdentity>? handlers, NodeIdentity node, string name)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<NodeIdentity>)handler)(node);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                DistributionLog.HandlerFailed(_logger, ex, name, node.ToString());
            }
        }
    }

    void ICarrierListener.OnFrame(NodeIdentity from, ReadOnlyMemory<byte> frame)
    {
        if (Volatile.Read(ref _early) is not null)
        {
            var copy = frame.ToArray();
            if (DeferredWhileStarting(() => FrameArrived(from, copy))) return;
        }
        FrameArrived(from, frame);
    }

    private void FrameArrived(NodeIdentity from, ReadOnlyMemory<byte> frame)
    {
        if (!_connected.TryGetValue(from.Name, out var current) || current != from) return; // a frame of an incarnation that is down
        if (frame.Length > _options.MaxFrameBytes)
        {
            DistributionLog.FrameRejected(_logger, from.ToString(), $"{frame.Length} bytes, over MaxFrameBytes");
            return;
        }
        try
        {
            Dispatch(from, frame);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or DistributionException or InvalidOperationException or ArgumentException or FormatException or OverflowException or EndOfStreamException)
        {
            // A frame this node cannot read is dropped; the connection and every other frame go on.
            DistributionLog.FrameRejected(_logger, from.ToString(), ex.InnerException?.Message ?? ex.Message);
        }
    }

    private void Dispatch(NodeIdentity from, ReadOnlyMemory<byte> frame)
    {
        var r = new MessagePackReader(frame);
        var count = r.ReadArrayHeader();
        var kind = (FrameKind)r.ReadInt32();
        switch (kind)
        {
            case FrameKind.Send:
                {
                    var id = r.ReadInt64();
                    var message = _codec.Read(ref r) ?? throw new MessagePackSerializationException("a nil message");
                    _node.FindProcess(id)?.Process?.Deliver(message);
                    break;
                }
            case FrameKind.SendNamed:
                {
                    var name = r.ReadString()!;
                    var message = _codec.Read(ref r) ?? throw new MessagePackSerializationException("a nil message");
                    if (_node.WhereIs(name)?.Process is { } target) target.Deliver(message);
                    break;
                }
            case FrameKind.Link:
                {
                    var linker = ReadRemotePid(ref r, from);
                    var id = r.ReadInt64();
                    if (_node.FindProcess(id)?.Process is not { } target || !target.AddRemoteLink(linker))
                    {
                        // Linking to a process that does not exist: the linker gets noproc from it.
                        SendLinkExit(from, PidOf(Self, id), linker.Id, ExitReason.NoProc);
                    }
                    break;
                }
            case FrameKind.Unlink:
                {
                    var other = ReadRemotePid(ref r, from);
                    _node.FindProcess(r.ReadInt64())?.Process?.RemoveRemoteLink(other);
                    break;
                }
            case FrameKind.LinkExit:
            case FrameKind.Exit:
                {
                    var sender = _codec.Read(ref r) is Pid p ? p : default;
                    var id = r.ReadInt64();
                    var reason = _codec.Read(ref r) as ExitReason ?? throw new MessagePackSerializationException("an exit without a reason");
                    if (_node.FindProcess(id)?.Process is not { } target) break;
                    if (kind == FrameKind.Exit) target.ReceiveExitSignal(sender, reason, viaLink: false);
                    else if (sender.Remote is { } partner) target.OnRemoteLinkExit(partner, reason);
                    break;
                }
            case FrameKind.Monitor:
            case FrameKind.MonitorNamed:
                {
                    var watcher = ReadRemotePid(ref r, from);
                    var target = kind == FrameKind.Monitor
                        ? _node.FindProcess(r.ReadInt64())?.Process
                        : _node.WhereIs(r.ReadString()!)?.Process;
                    var monitorRef = _codec.Read(ref r) as Ref ?? throw new MessagePackSerializationException("a monitor without a ref");
                    var remoteWatcher = new RemoteWatcher(this, Intern(from), watcher.Id);
                    if (target is not null && target.AddMonitor(monitorRef, remoteWatcher))
                    {
                        _watchedFromAfar[(from, monitorRef)] = target;
                    }
                    else
                    {
                        SendDown(from, watcher.Id, monitorRef, ExitReason.NoProc); // X5
                    }
                    break;
                }
            case FrameKind.Demonitor:
                {
                    var monitorRef = _codec.Read(ref r) as Ref ?? throw new MessagePackSerializationException("a demonitor without a ref");
                    if (_watchedFromAfar.TryRemove((from, monitorRef), out var target)) target.RemoveMonitor(monitorRef);
                    break;
                }
            case FrameKind.Down:
                {
                    var id = r.ReadInt64();
                    var monitorRef = _codec.Read(ref r) as Ref ?? throw new MessagePackSerializationException("a down without a ref");
                    var reason = _codec.Read(ref r) as ExitReason ?? throw new MessagePackSerializationException("a down without a reason");
                    _node.FindProcess(id)?.Process?.OnRemoteDown(monitorRef, reason);
                    break;
                }
            case FrameKind.Request:
                ServeRequest(from, ref r);
                break;
            case FrameKind.Reply:
                {
                    var id = r.ReadInt64();
                    var value = _codec.Read(ref r);
                    if (_requests.TryRemove(id, out var pending)) pending.Sink.TryAnswer(value);
                    break;
                }
            case FrameKind.RequestFailed:
                {
                    var id = r.ReadInt64();
                    var reason = _codec.Read(ref r) as ExitReason ?? throw new MessagePackSerializationException("a failure without a reason");
                    if (_requests.TryRemove(id, out var pending)) pending.Sink.OnProcessDown(reason);
                    break;
                }
            case FrameKind.Cast:
                {
                    var target = ReadTarget(ref r);
                    var request = _codec.Read(ref r) ?? throw new MessagePackSerializationException("a nil cast");
                    target?.Deliver(new CastRequest(request));
                    break;
                }
            case FrameKind.Spawn:
                ServeSpawn(from, ref r);
                break;
            case FrameKind.Spawned:
                OnSpawned(ref r);
                break;
            case FrameKind.Reconnect:
                // The sender saw this node go down and come back: this node drops the connection too, then takes
                // the new one (nodedown, then nodeup), so that both sides agree on what the break ended.
                NodeGone(from);
                _seenDown.TryRemove(from, out _);
                NodeUp(from);
                break;
            case FrameKind.Service:
                {
                    var service = r.ReadString()!;
                    var payload = _codec.Read(ref r);
                    if (_services.TryGetValue(service, out var s)) s.OnMessage(from, payload);
                    break;
                }
            default:
                throw new MessagePackSerializationException($"unknown frame kind {(int)kind} ({count} elements)");
        }
    }

    private RemotePid ReadRemotePid(ref MessagePackReader r, NodeIdentity from) =>
        _codec.Read(ref r) is Pid { Remote: { } pid } && pid.Node.Identity == from
            ? pid
            : throw new MessagePackSerializationException("a signal whose sender is not a process of the sending node");

    private LocalProcess? ReadTarget(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return _node.WhereIs(r.ReadString()!)?.Process;
        var id = r.ReadInt64();
        r.ReadNil();
        return _node.FindProcess(id)?.Process;
    }

    private void ServeRequest(NodeIdentity from, ref MessagePackReader r)
    {
        var caller = _codec.Read(ref r) is Pid p ? p : default;
        var id = r.ReadInt64();
        var target = ReadTarget(ref r);
        var op = r.ReadInt32();
        var arg = _codec.Read(ref r);
        var arg2 = _codec.Read(ref r);
        var arg3 = _codec.Read(ref r);
        if (op != -1 && !Enum.IsDefined((SystemOp)op)) throw new MessagePackSerializationException($"unknown system operation {op}");
        var sink = new CallReply(caller) { HandOff = false };
        if (target is null || !target.AddReplyWatch(sink))
        {
            SendRequestFailed(from, id, ExitReason.NoProc); // X6
            return;
        }
        object envelope = op == -1
            ? new CallRequest(arg ?? throw new MessagePackSerializationException("a nil call"), sink)
            : new SystemRequest((SystemOp)op, sink, arg, arg2, arg3);
        target.Deliver(envelope);
        _ = ForwardReplyAsync(from, id, sink);
    }

    private async Task ForwardReplyAsync(NodeIdentity caller, long id, CallReply sink)
    {
        await sink.WaitAsync().ConfigureAwait(false);
        var result = sink.TakeResult();
        if (ReferenceEquals(result, CallReply.Down) || ReferenceEquals(result, CallReply.Refused))
        {
            SendRequestFailed(caller, id, sink.Failure ?? ExitReason.NoProc);
            return;
        }
        var buffer = Begin(out var w);
        try
        {
            w.WriteArrayHeader(3);
            w.Write((int)FrameKind.Reply);
            w.Write(id);
            _codec.Write(ref w, result);
        }
        catch (MessageNotSerializableException ex)
        {
            Discard(buffer);
            SendRequestFailed(caller, id, ExitReason.Of(TermTuple.Of(BadReplyAtom, ex.Message)));
            return;
        }
        Emit(caller, buffer, ref w);
    }

    private void SendRequestFailed(NodeIdentity to, long id, ExitReason reason)
    {
        var buffer = Begin(out var w);
        w.WriteArrayHeader(3);
        w.Write((int)FrameKind.RequestFailed);
        w.Write(id);
        WriteReason(ref w, reason);
        Emit(to, buffer, ref w);
    }

    private void SendLinkExit(NodeIdentity to, Pid from, long toId, ExitReason reason)
    {
        var buffer = Begin(out var w);
        w.WriteArrayHeader(4);
        w.Write((int)FrameKind.LinkExit);
        _codec.Write(ref w, from);
        w.Write(toId);
        WriteReason(ref w, reason);
        Emit(to, buffer, ref w);
    }

    internal void SendDown(NodeIdentity to, long watcherId, Ref monitorRef, ExitReason reason)
    {
        var buffer = Begin(out var w);
        w.WriteArrayHeader(4);
        w.Write((int)FrameKind.Down);
        w.Write(watcherId);
        _codec.Write(ref w, monitorRef);
        WriteReason(ref w, reason);
        Emit(to, buffer, ref w);
    }

    private void SendReconnect(NodeIdentity node)
    {
        var buffer = Begin(out var w);
        w.WriteArrayHeader(1);
        w.Write((int)FrameKind.Reconnect);
        Emit(node, buffer, ref w);
    }

    internal void ForgetWatcher(NodeIdentity node, Ref monitorRef) => _watchedFromAfar.TryRemove((node, monitorRef), out _);

    // ---------------------------------------------------------------- services (global, pg)

    private void Register(IClusterService service) => _services[service.Name] = service;

    /// <summary>Sends a service's own message to the same service on <paramref name="node"/>.</summary>
    internal void SendService(NodeIdentity node, string service, object? payload)
    {
        if (RouteTo(node) != Route.Up) return;
        var buffer = Begin(out var w);
        w.WriteArrayHeader(3);
        w.Write((int)FrameKind.Service);
        w.Write(service);
        _codec.Write(ref w, payload);
        Emit(node, buffer, ref w);
    }

    internal IEnumerable<NodeIdentity> ConnectedNodes => _connected.Values;

    // ---------------------------------------------------------------- frames

    private static ArrayBufferWriter<byte> Begin(out MessagePackWriter writer)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        t_buffer = null; // taken: a frame written while another is being written (a formatter) gets its own
        writer = new MessagePackWriter(buffer);
        return buffer;
    }

    private void Emit(NodeIdentity to, ArrayBufferWriter<byte> buffer, ref MessagePackWriter w)
    {
        w.Flush();
        try
        {
            if (buffer.WrittenCount > _options.MaxFrameBytes)
            {
                throw new MessageNotSerializableException($"the frame is {buffer.WrittenCount} bytes, over MaxFrameBytes ({_options.MaxFrameBytes})");
            }
            _carrier.Send(to, buffer.WrittenMemory);
        }
        finally
        {
            Discard(buffer);
        }
    }

    private static void Discard(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > 64 * 1024) return; // a large frame's buffer is not kept
        buffer.ResetWrittenCount();
        t_buffer = buffer;
    }

    /// <summary>Leaves the cluster: the other nodes see this node go down; this node's processes see every other node go down.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _carrier.DisposeAsync().ConfigureAwait(false);
        foreach (var node in _connected.Values.ToArray()) NodeGone(node);
    }

    private readonly record struct PendingRequest(CallReply Sink, NodeIdentity Node);

    /// <summary>A monitor held by a process of another node on a process of this one.</summary>
    private sealed class RemoteWatcher(Cluster cluster, RemoteNode node, long watcherId) : IRemoteWatcher
    {
        public RemoteNode Node { get; } = node;

        public void OnDown(Ref monitorRef, Pid pid, ExitReason reason)
        {
            cluster.ForgetWatcher(Node.Identity, monitorRef);
            cluster.SendDown(Node.Identity, watcherId, monitorRef, reason);
        }
    }
}
