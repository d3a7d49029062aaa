using System.Threading.Channels;
using Otp.Net.Diagnostics;
using Otp.Net.Processes;

namespace Otp.Net.Dashboard;

/// <summary>An event for the page: its SSE event name and its data.</summary>
internal sealed record StreamEvent(string Kind, object Data);

/// <summary>
/// The live side of the dashboard. With no viewer it holds nothing on the node: no event observer (so the node builds
/// no event) and no sampling timer. The first viewer subscribes to <see cref="Node.Events"/> and starts sampling; the
/// last one to leave stops both. Each viewer has a bounded queue that drops its oldest events when it falls behind:
/// the node never waits for a browser.
/// </summary>
internal sealed class DashboardStream : IObserver<NodeEvent>, IDisposable
{
    private readonly Node _node;
    private readonly OtpDashboardOptions _options;
    private readonly Lock _lock = new();
    private readonly List<Viewer> _viewers = [];
    private Viewer[] _broadcast = []; // copy of _viewers for the node's threads: no lock, no allocation per event
    private readonly LinkedList<ReportView> _reports = new();
    private readonly LinkedList<JournalView> _journal = new();
    private IDisposable? _subscription;
    private ITimer? _sampler;
    private Dictionary<long, long> _lastReceived = [];
    private long _lastSample;
    private long _reportSeq;
    private int _sampling;
    private IReadOnlyDictionary<long, double> _rates = new Dictionary<long, double>();
    private HashSet<(string Module, string Version)> _pending = [];

    public DashboardStream(Node node, OtpDashboardOptions options)
    {
        _node = node;
        _options = options;
    }

    /// <summary>Messages per second per process id over the last sample (empty while nobody watches).</summary>
    public IReadOnlyDictionary<long, double> Rates => Volatile.Read(ref _rates);

    /// <summary>Viewers connected now.</summary>
    public int ViewerCount
    {
        get
        {
            lock (_lock) return _viewers.Count;
        }
    }

    /// <summary>Whether the node's events are observed by the dashboard now.</summary>
    public bool IsSubscribed
    {
        get
        {
            lock (_lock) return _subscription is not null;
        }
    }

    /// <summary>Reports seen while someone watched, oldest first.</summary>
    public IReadOnlyList<ReportView> Reports
    {
        get
        {
            lock (_reports) return _reports.ToArray();
        }
    }

    /// <summary>Release steps seen while someone watched, oldest first.</summary>
    public IReadOnlyList<JournalView> Journal
    {
        get
        {
            lock (_journal) return _journal.ToArray();
        }
    }

    /// <summary>Adds a viewer; dispose it to leave.</summary>
    public Viewer Join()
    {
        var viewer = new Viewer(this, _options.EventBufferSize);
        lock (_lock)
        {
            _viewers.Add(viewer);
            Volatile.Write(ref _broadcast, [.. _viewers]);
            if (_viewers.Count == 1)
            {
                _pending = PendingUnloads();
                _lastReceived = [];
                _lastSample = _node.TimeProvider.GetTimestamp();
                _subscription = _node.Events.Subscribe(this);
                _sampler = _node.TimeProvider.CreateTimer(static s => ((DashboardStream)s!).Sample(), this, _options.SampleInterval, _options.SampleInterval);
            }
        }
        return viewer;
    }

    private void Leave(Viewer viewer)
    {
        IDisposable? subscription = null;
        ITimer? sampler = null;
        lock (_lock)
        {
            if (!_viewers.Remove(viewer)) return;
            Volatile.Write(ref _broadcast, [.. _viewers]);
            if (_viewers.Count > 0) return;
            (subscription, _subscription) = (_subscription, null);
            (sampler, _sampler) = (_sampler, null);
            Volatile.Write(ref _rates, new Dictionary<long, double>());
        }
        subscription?.Dispose();
        sampler?.Dispose();
    }

    private void Broadcast(StreamEvent e)
    {
        foreach (var v in Volatile.Read(ref _broadcast)) v.Post(e);
    }

    // ------------------------------------------------------------------ node events (on the node's threads: fast, no waiting)

    public void OnNext(NodeEvent value)
    {
        var e = value.Kind switch
        {
            NodeEventKind.Spawned => new StreamEvent("spawned", new { pid = value.Pid.ToString(), parent = Text(value.Parent), module = value.Module }),
            NodeEventKind.Exited => new StreamEvent("exited", new { pid = value.Pid.ToString(), module = value.Module, reason = value.Reason }),
            NodeEventKind.Restarted => new StreamEvent("restarted", new
            {
                supervisor = value.Parent.ToString(),
                childId = value.ChildId,
                pid = Text(value.Pid),
                module = value.Module,
                reason = value.Reason,
                restartsInWindow = value.Restarts,
                intensity = value.Intensity,
                budgetLeft = Math.Max(0, value.Intensity - value.Restarts),
            }),
            NodeEventKind.Suspended => new StreamEvent("suspended", new { pid = value.Pid.ToString(), module = value.Module }),
            NodeEventKind.Resumed => new StreamEvent("resumed", new { pid = value.Pid.ToString(), module = value.Module }),
            NodeEventKind.ModuleLoaded => new StreamEvent("moduleLoaded", new { module = value.Module, version = value.Version }),
            NodeEventKind.ModulePurged => new StreamEvent("modulePurged", new { module = value.Module, version = value.Version }),
            NodeEventKind.Upgrade => new StreamEvent("upgrade", new { module = value.Module, version = value.Version, detail = value.Detail }),
            NodeEventKind.Release when value.Journal is { } entry => new StreamEvent("release", Remember(_journal, NodeReader.Journal(entry), 200)),
            NodeEventKind.Report when value.Report is { } report => new StreamEvent("report", Remember(_reports, Report(value.Time, report), _options.ReportCapacity)),
            _ => null,
        };
        if (e is not null) Broadcast(e);
    }

    private static string? Text(Pid pid) => pid.IsUndefined ? null : pid.ToString();

    private ReportView Report(DateTimeOffset time, LogReport report) =>
        new(Interlocked.Increment(ref _reportSeq), time, report.Level.ToString().ToLowerInvariant(), report.Category, report.EventName,
            report.Exception is null ? report.Message : report.Message + Environment.NewLine + report.Exception);

    private static T Remember<T>(LinkedList<T> list, T item, int capacity)
    {
        lock (list)
        {
            list.AddLast(item);
            while (list.Count > capacity) list.RemoveFirst();
        }
        return item;
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    // ------------------------------------------------------------------ sampling (only while watched)

    private void Sample()
    {
        if (Interlocked.Exchange(ref _sampling, 1) != 0) return; // the previous sample is still running: skip this one
        try
        {
            var now = _node.TimeProvider.GetTimestamp();
            var seconds = Math.Max(1e-3, _node.TimeProvider.GetElapsedTime(_lastSample, now).TotalSeconds);
            _lastSample = now;
            var received = new Dictionary<long, long>();
            var rates = new Dictionary<long, double>();
            var wireRates = new Dictionary<string, double>();
            long total = 0;
            var max = 0;
            foreach (var pid in _node.Processes)
            {
                if (_node.GetProcessInfo(pid) is not { } info) continue;
                total += info.MessageQueueLength;
                max = Math.Max(max, info.MessageQueueLength);
                received[pid.Id] = info.MessagesReceived;
                if (_lastReceived.TryGetValue(pid.Id, out var before) && info.MessagesReceived > before)
                {
                    var rate = Math.Round((info.MessagesReceived - before) / seconds, 1);
                    rates[pid.Id] = rate;
                    wireRates[pid.ToString()] = rate;
                }
            }
            _lastReceived = received;
            Volatile.Write(ref _rates, rates);
            Broadcast(new StreamEvent("sample", new { processCount = received.Count, mailboxTotal = total, mailboxMax = max, rates = wireRates }));
            // A purged version's context is collected whenever the GC gets to it: the sample notices.
            var pending = PendingUnloads();
            foreach (var (module, version) in _pending)
            {
                if (!pending.Contains((module, version))) Broadcast(new StreamEvent("moduleUnloaded", new { module, version }));
            }
            _pending = pending;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // the node is stopping
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }

    private HashSet<(string, string)> PendingUnloads() => _node.Code.PendingUnload.Select(v => (v.Module, v.Version)).ToHashSet();

    public void Dispose()
    {
        Viewer[] viewers;
        lock (_lock) viewers = [.. _viewers];
        foreach (var v in viewers) v.Dispose();
    }

    /// <summary>One open event stream.</summary>
    internal sealed class Viewer : IDisposable
    {
        private readonly DashboardStream _owner;
        private readonly Channel<StreamEvent> _queue;
        private long _dropped;
        private int _disposed;

        public Viewer(DashboardStream owner, int capacity)
        {
            _owner = owner;
            _queue = Channel.CreateBounded<StreamEvent>(
                new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                _ => Interlocked.Increment(ref _dropped));
        }

        public ChannelReader<StreamEvent> Events => _queue.Reader;

        /// <summary>Events dropped since the last call (the viewer was too slow).</summary>
        public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

        public void Post(StreamEvent e) => _queue.Writer.TryWrite(e);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _queue.Writer.TryComplete();
            _owner.Leave(this);
        }
    }
}
