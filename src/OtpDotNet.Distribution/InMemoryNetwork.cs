using System.Threading.Channels;

namespace Otp.Net.Distribution;

/// <summary>
/// A network of in-memory carriers, for tests: nodes in one program, frames serialized as over a real carrier, and the
/// failures a real network has made on demand (<see cref="Disconnect"/>, <see cref="Reconnect"/>, <see cref="Crash"/>).
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly object _gate = new();
    private readonly Dictionary<string, InMemoryCarrier> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _creations = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _cut = [];

    /// <summary>A carrier on this network, for one node.</summary>
    public IDistributionCarrier CreateCarrier() => new InMemoryCarrier(this);

    /// <summary>The names of the nodes on the network now.</summary>
    public IReadOnlyList<string> Nodes
    {
        get
        {
            lock (_gate) return _nodes.Keys.ToArray();
        }
    }

    /// <summary>Cuts the link between two nodes: each sees the other go down (a partition).</summary>
    public void Disconnect(string a, string b)
    {
        lock (_gate)
        {
            if (!_cut.Add(Key(a, b))) return;
            if (_nodes.TryGetValue(a, out var na) && _nodes.TryGetValue(b, out var nb))
            {
                na.Post(Event.Down(nb.Identity));
                nb.Post(Event.Down(na.Identity));
            }
        }
    }

    /// <summary>Heals a cut made by <see cref="Disconnect"/>: each sees the other come up.</summary>
    public void Reconnect(string a, string b)
    {
        lock (_gate)
        {
            if (!_cut.Remove(Key(a, b))) return;
            if (_nodes.TryGetValue(a, out var na) && _nodes.TryGetValue(b, out var nb))
            {
                na.Post(Event.Up(nb.Identity));
                nb.Post(Event.Up(na.Identity));
            }
        }
    }

    /// <summary>
    /// <paramref name="observer"/> alone sees <paramref name="node"/> go down and come back, as a failure detector that
    /// missed a few heartbeats would: the other side sees nothing.
    /// </summary>
    public void Flap(string observer, string node)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(observer, out var o) && _nodes.TryGetValue(node, out var n))
            {
                o.Post(Event.Down(n.Identity));
                o.Post(Event.Up(n.Identity));
            }
        }
    }

    /// <summary>The node stops at once, as on SIGKILL: every other node sees it go down; it hears nothing more.</summary>
    public void Crash(string node)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(node, out var gone)) return;
            gone.Stop();
            foreach (var other in _nodes.Values)
            {
                if (!_cut.Contains(Key(node, other.Name))) other.Post(Event.Down(gone.Identity));
            }
        }
    }

    private static (string, string) Key(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    internal NodeIdentity Join(InMemoryCarrier carrier, string name)
    {
        lock (_gate)
        {
            if (_nodes.ContainsKey(name)) throw new DistributionException($"a node named '{name}' is already on the network");
            var creation = _creations[name] = _creations.GetValueOrDefault(name) + 1;
            var identity = new NodeIdentity(name, creation);
            carrier.Identity = identity;
            foreach (var other in _nodes.Values)
            {
                if (_cut.Contains(Key(name, other.Name))) continue;
                other.Post(Event.Up(identity));
                carrier.Post(Event.Up(other.Identity));
            }
            _nodes[name] = carrier;
            return identity;
        }
    }

    internal void Leave(InMemoryCarrier carrier) => Crash(carrier.Name);

    internal void Route(InMemoryCarrier from, NodeIdentity to, ReadOnlyMemory<byte> frame)
    {
        InMemoryCarrier? target;
        lock (_gate)
        {
            if (!_nodes.TryGetValue(to.Name, out target) || target.Identity != to || _cut.Contains(Key(from.Name, to.Name))) return;
            if (!_nodes.TryGetValue(from.Name, out var self) || !ReferenceEquals(self, from)) return;
            // Posted under the lock: a frame never overtakes a down event the network has already posted.
            target.Post(new Event(EventKind.Frame, from.Identity, frame.ToArray()));
        }
    }

    internal enum EventKind
    {
        Up,
        Down,
        Frame,
    }

    internal readonly record struct Event(EventKind Kind, NodeIdentity Node, byte[]? Frame)
    {
        public static Event Up(NodeIdentity n) => new(EventKind.Up, n, null);

        public static Event Down(NodeIdentity n) => new(EventKind.Down, n, null);
    }

    /// <summary>One node's carrier: an ordered inbox read by one loop.</summary>
    internal sealed class InMemoryCarrier(InMemoryNetwork network) : IDistributionCarrier
    {
        private readonly Channel<Event> _inbox = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
        private ICarrierListener? _listener;
        private Task? _loop;

        public NodeIdentity Identity { get; set; }

        public string Name => Identity.Name;

        public Task<NodeIdentity> StartAsync(string nodeName, ICarrierListener listener, CancellationToken cancellationToken)
        {
            _listener = listener;
            var identity = network.Join(this, nodeName);
            _loop = Task.Run(ReadLoopAsync, CancellationToken.None);
            return Task.FromResult(identity);
        }

        public void Send(NodeIdentity to, ReadOnlyMemory<byte> frame) => network.Route(this, to, frame);

        public void Post(Event e) => _inbox.Writer.TryWrite(e);

        public void Stop() => _inbox.Writer.TryComplete();

        private async Task ReadLoopAsync()
        {
            var listener = _listener!;
            await foreach (var e in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    switch (e.Kind)
                    {
                        case EventKind.Up:
                            listener.OnNodeUp(e.Node);
                            break;
                        case EventKind.Down:
                            listener.OnNodeDown(e.Node);
                            break;
                        default:
                            listener.OnFrame(e.Node, e.Frame);
                            break;
                    }
                }
                catch (Exception)
                {
                    // The listener logs its own failures; the carrier goes on with the next event.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            network.Leave(this);
            Stop();
            if (_loop is not null) await _loop.ConfigureAwait(false);
        }
    }
}
