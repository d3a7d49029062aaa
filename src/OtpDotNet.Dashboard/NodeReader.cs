using System.Diagnostics.Metrics;
using Otp.Net.Code;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Releases;
using Otp.Net.Supervision;
using Otp.Net.Sys;

namespace Otp.Net.Dashboard;

/// <summary>Reads a node into the dashboard's views. Everything here is read-only.</summary>
internal sealed class NodeReader(Node node, DashboardStream stream, ModuleCatalog catalog, OtpDashboardOptions options)
{
    public Node Node => node;

    public OtpDashboardOptions Options => options;

    public NodeView ReadNode(CapabilityView capabilities)
    {
        long total = 0;
        var max = 0;
        foreach (var pid in node.Processes)
        {
            if (node.GetProcessInfo(pid) is not { } info) continue;
            total += info.MessageQueueLength;
            if (info.MessageQueueLength > max) max = info.MessageQueueLength;
        }
        var now = node.TimeProvider.GetUtcNow();
        return new NodeView(
            node.StartedAt,
            (now - node.StartedAt).TotalSeconds,
            node.ProcessCount,
            total,
            max,
            node.RegisteredNames.Count,
            Gc(),
            Pool(),
            ReadMeter(),
            capabilities,
            node.Releases.IsConfigured);
    }

    public static MetricsView ReadMetrics() => new(ReadMeter(), Gc(), Pool());

    private static GcView Gc() => new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2),
        GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().PauseTimePercentage, GC.GetTotalAllocatedBytes());

    private static ThreadPoolView Pool() => new(ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, ThreadPool.CompletedWorkItemCount);

    /// <summary>The observable instruments of the node's meter, read once (counters and histograms are the exporters' business).</summary>
    private static List<MeterValue> ReadMeter()
    {
        var values = new List<MeterValue>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Diagnostics.OtpDiagnostics.MeterName && instrument.IsObservable) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(values, instrument, value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(values, instrument, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => Add(values, instrument, value));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }

    private static void Add(List<MeterValue> values, Instrument instrument, double value)
    {
        lock (values)
        {
            // Several nodes in one host share the meter name: their measurements add up, as an exporter would show.
            var i = values.FindIndex(v => v.Name == instrument.Name);
            if (i < 0) values.Add(new MeterValue(instrument.Name, value, instrument.Unit));
            else if (instrument is ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>) values[i] = values[i] with { Value = Math.Max(values[i].Value, value) };
            else values[i] = values[i] with { Value = values[i].Value + value };
        }
    }

    public IReadOnlyList<ApplicationView> ReadApplications() =>
        node.Applications.WhichApplications()
            .Select(a => new ApplicationView(a.Name, a.Version, a.Description, node.WhereIs(a.Name)?.ToString()))
            .ToArray();

    /// <summary>
    /// The supervision trees: the top supervisor of each running application (registered under the application's name,
    /// as the hosting package and the application master do), then every other supervisor whose parent is no supervisor.
    /// </summary>
    public async Task<IReadOnlyList<TreeView>> ReadTreesAsync(CancellationToken cancellationToken)
    {
        var roots = new List<(string? Application, Pid Pid)>();
        foreach (var pid in node.Processes)
        {
            if (node.GetProcessInfo(pid) is not { } info || !IsSupervisor(info)) continue;
            if (node.GetProcessInfo(info.Parent) is { } parent && IsSupervisor(parent)) continue;
            roots.Add((info.Application, pid));
        }
        var trees = new List<TreeView>();
        foreach (var (application, pid) in roots.OrderBy(r => r.Application is null).ThenBy(r => r.Application, StringComparer.Ordinal).ThenBy(r => r.Pid.Id))
        {
            if (await ReadSupervisorAsync(pid, null, RestartType.Permanent, null, 0, cancellationToken).ConfigureAwait(false) is { } root)
            {
                trees.Add(new TreeView(application, root));
            }
        }
        return trees;
    }

    private static bool IsSupervisor(ProcessInfo info) => info.Behaviour == "supervisor";

    private async Task<TreeNodeView?> ReadSupervisorAsync(Pid pid, string? id, RestartType restart, ExitReason? lastExit, int restarts, CancellationToken cancellationToken)
    {
        var self = node.GetProcessInfo(pid);
        if (self is null) return null; // it ended while we looked
        SupervisorStatus status;
        try
        {
            // A suspended supervisor answers no call until it is resumed: shown as such, without waiting for it.
            if (self.Status == ProcessStatus.Suspended) return Unreadable(pid, id, restart, lastExit, restarts, self, "suspended");
            status = await Supervisor.GetStatusAsync(pid, options.CallTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (CallTimeoutException)
        {
            return Unreadable(pid, id, restart, lastExit, restarts, self, "busy");
        }
        catch (Exception ex) when (ex is ICallFailure)
        {
            return null; // it ended while we looked
        }
        var children = new List<TreeNodeView>();
        foreach (var child in status.Children)
        {
            var info = child.Info;
            var childId = info.Id.IsUndefined ? null : info.Id.ToString();
            if (info.Type == ChildType.Supervisor && !info.Pid.IsUndefined
                && await ReadSupervisorAsync(info.Pid, childId, info.Restart, child.LastExit, child.Restarts, cancellationToken).ConfigureAwait(false) is { } sub)
            {
                children.Add(sub);
                continue;
            }
            var process = info.Pid.IsUndefined ? null : node.GetProcessInfo(info.Pid);
            children.Add(new TreeNodeView(childId, info.Pid.IsUndefined ? null : info.Pid.ToString(), Lower(info.Type), Lower(info.Restart),
                info.Restarting ? "restarting" : info.Pid.IsUndefined ? "undefined" : "running",
                process?.Module ?? (info.Modules.Count > 0 ? info.Modules[0] : null), process?.ModuleVersion,
                child.LastExit?.ToString(), child.Restarts, null, null, null, null, null, []));
        }
        return new TreeNodeView(id, pid.ToString(), "supervisor", Lower(restart), "running", self?.Module, self?.ModuleVersion,
            lastExit?.ToString(), restarts, StrategyName(status.Flags.Strategy), status.Flags.Intensity, status.Flags.PeriodSeconds,
            status.RestartsInPeriod, status.RestartsLeft, children);
    }

    /// <summary>A live supervisor whose children cannot be read now: <paramref name="status"/> says why.</summary>
    private static TreeNodeView Unreadable(Pid pid, string? id, RestartType restart, ExitReason? lastExit, int restarts, ProcessInfo self, string status) =>
        new(id, pid.ToString(), "supervisor", Lower(restart), status, self.Module, self.ModuleVersion, lastExit?.ToString(), restarts,
            null, null, null, null, null, []);

    private static string StrategyName(Strategy strategy) => strategy switch
    {
        Strategy.OneForOne => "one_for_one",
        Strategy.OneForAll => "one_for_all",
        Strategy.RestForOne => "rest_for_one",
        Strategy.SimpleOneForOne => "simple_one_for_one",
        _ => strategy.ToString(),
    };

    private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public IReadOnlyList<ProcessRow> ReadProcesses(out int total)
    {
        var rows = new List<ProcessRow>();
        var rates = stream.Rates;
        foreach (var pid in node.Processes)
        {
            if (node.GetProcessInfo(pid) is { } info) rows.Add(Row(info, rates));
        }
        total = rows.Count;
        return rows.OrderByDescending(r => r.MessageQueueLength).ThenByDescending(r => r.MessageRate).ThenBy(r => Id(r.Pid))
            .Take(options.MaxProcessRows).ToArray();
    }

    private static long Id(string pid) => long.TryParse(pid.AsSpan(3, pid.Length - 6), out var id) ? id : 0;

    private ProcessRow Row(ProcessInfo info, IReadOnlyDictionary<long, double> rates) => new(
        info.Pid.ToString(), info.RegisteredName, info.Module, info.ModuleVersion, Lower(info.Status), info.MessageQueueLength,
        info.MessagesReceived, rates.TryGetValue(info.Pid.Id, out var rate) ? rate : 0, info.Status == ProcessStatus.Suspended,
        info.Module is { } module && node.Code.CheckProcessCode(info.Pid, module), info.Application);

    public async Task<ProcessDetail?> ReadProcessAsync(Pid pid, CancellationToken cancellationToken)
    {
        if (node.GetProcessInfo(pid) is not { } info) return null;
        var row = Row(info, stream.Rates);
        string? state = null;
        if (info.StatusExposed)
        {
            try
            {
                // The module's FormatStatus output, printed by the process itself: never the raw state, never read here.
                state = await SysOps.FormatStatusAsync(pid, options.CallTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ICallFailure)
            {
                state = null; // it ended, or is busy past the timeout
            }
        }
        return new ProcessDetail(row.Pid, row.Name, row.Module, row.Version, row.Status, row.MessageQueueLength, row.MessagesReceived,
            row.MessageRate, row.Suspended, row.OldCode, row.Application,
            info.Links.Select(l => l.ToString()).ToArray(),
            info.Monitors.Select(m => new MonitorView(m.Ref.ToString(), m.Pid.ToString())).ToArray(),
            info.MonitoredBy, info.TrapExit, info.Parent.IsUndefined ? null : info.Parent.ToString(), info.StatusExposed, state);
    }

    public IReadOnlyList<ModuleView> ReadModules()
    {
        var available = catalog.Scan();
        var modules = new List<ModuleView>();
        foreach (var module in node.Code.AllLoaded.Union(available.Select(a => a.Module), StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var versions = node.Code.Versions(module).Select(v => new ModuleVersionView(v.Version, Camel(v.Status.ToString()),
                v.Status is ModuleStatus.Current or ModuleStatus.Old ? node.Code.ProcessesRunning(module, v.Version).Select(p => p.ToString()).ToArray() : [])).ToArray();
            var pinned = versions.Where(v => v.Status == "old").SelectMany(v => v.Processes).ToArray();
            var current = versions.FirstOrDefault(v => v.Status == "current")?.Version;
            var files = available.Where(a => a.Module == module && a.Version != current).Select(a => new ModuleFileView(a.File, a.Version)).ToArray();
            modules.Add(new ModuleView(module, versions, pinned, files));
        }
        return modules;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    public ReleasesView ReadReleases()
    {
        var handler = node.Releases;
        if (!handler.IsConfigured) return new ReleasesView(false, null, [], []);
        var releases = handler.WhichReleases().Select(r => new ReleaseView(r.Name, r.Version, Camel(r.Status.ToString()))).ToArray();
        return new ReleasesView(true, handler.CurrentVersion, releases, stream.Journal);
    }

    public static JournalView Journal(JournalEntry entry) =>
        new(entry.Version, entry.Index, entry.Step.Describe(), Camel(entry.Outcome.ToString()), entry.Detail, entry.Elapsed.TotalMilliseconds);

    public async Task<PlanView> ReadPlanAsync(string version, CancellationToken cancellationToken)
    {
        var report = await node.Releases.CheckInstallAsync(version, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PlanView(report.FromVersion, report.ToVersion, report.Direction == ChangeDirection.Up ? "upgrade" : "downgrade", report.Steps.Select(s => s.Describe()).ToArray())
        {
            Processes = report.Processes.Select(p => new ProcessRehearsalView(p.Module, p.Pid.ToString(), p.Ok, p.Error)).ToArray(),
            Problems = report.Problems,
            Warnings = report.Warnings,
        };
    }
}
