using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Otp.Net.Diagnostics;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Sys;
using Otp.Net.Terms;

namespace Otp.Net.Code;

/// <summary>
/// A node's code server: a version-aware registry of callback modules. Each version lives in its own collectible
/// load context; a module has at most a current and an old version (C1). Processes started from a module are bound
/// to a version and move to a newer one at an upgrade point (<c>change_code</c>), or at their next callback when the
/// newer code accepts their state (S8). Purging kills what still runs the old version and unloads it.
/// Requests that change the registry (load, upgrade, purge, delete) are served one at a time, in the order they are
/// made, as by OTP's code server and release handler (each one process); the garbage collections that unloading
/// needs run on the thread pool, never on the caller's thread and never under a lock.
/// </summary>
#pragma warning disable CA1001 // the gate's semaphore never allocates a wait handle (only WaitAsync is used): nothing to dispose
public sealed partial class CodeServer
#pragma warning restore CA1001
{
    private readonly Node _node;
    private readonly ConcurrentDictionary<string, ModuleEntry> _modules = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly SemaphoreSlim _serial = new(1, 1);
    private readonly IReadOnlyList<ModuleBehaviour> _behaviours;

    internal CodeServer(Node node, IReadOnlyList<ModuleBehaviour>? behaviours = null)
    {
        _node = node;
        _behaviours = behaviours ?? [];
    }

    /// <summary>A behaviour of <see cref="_behaviours"/> that <paramref name="type"/> derives from, if any.</summary>
    private ModuleBehaviour? BehaviourOf(Type type) => _behaviours.FirstOrDefault(b => b.Base.IsAssignableFrom(type));

    private bool IsModuleType(Type type) =>
        typeof(GenServerBase).IsAssignableFrom(type) || typeof(IProcessModule).IsAssignableFrom(type) || BehaviourOf(type) is not null;

    // ------------------------------------------------------------------ loading

    /// <summary>
    /// <c>code:load_file</c>: loads the module <paramref name="module"/> (or the only module) of the assembly at
    /// <paramref name="path"/> as the current version; the previous current version becomes old (C1). Fails with a
    /// <see cref="CodeLoadException"/> (nofile, badfile, no module, not a behaviour, not_purged, same version, a purged
    /// version still pending unload), changing nothing. Waits for any other code server request to finish first.
    /// </summary>
    public async Task<ModuleVersionInfo> LoadAsync(string path, string? module = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new CodeLoadException(CodeErrorKind.NoFile, module ?? path, $"nofile: {path}");
        // The gate is asked for before anything is awaited: requests are served in the order they were made.
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var image = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            return (await LoadCoreAsync(image, directory, module, rebind: true).ConfigureAwait(false)).Info(ModuleStatus.Current);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// As <see cref="LoadAsync(string, string?, CancellationToken)"/>, from an assembly image in a stream. With no
    /// directory, the module's own dependencies cannot be found: only shared (host) assemblies resolve.
    /// </summary>
    public async Task<ModuleVersionInfo> LoadAsync(Stream assembly, string? module = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var buffer = new MemoryStream();
            await assembly.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return (await LoadCoreAsync(buffer.ToArray(), null, module, rebind: true).ConfigureAwait(false)).Info(ModuleStatus.Current);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>
    /// The blocking form of <see cref="LoadAsync(string, string?, CancellationToken)"/> for host code that is not
    /// asynchronous. It blocks the calling thread (for a garbage collection if a purged version is pending unload):
    /// inside a process use <see cref="LoadAsync(string, string?, CancellationToken)"/>.
    /// </summary>
    public ModuleVersionInfo Load(string path, string? module = null) => LoadAsync(path, module).GetAwaiter().GetResult();

    /// <summary>The blocking form of <see cref="LoadAsync(Stream, string?, CancellationToken)"/>.</summary>
    public ModuleVersionInfo Load(Stream assembly, string? module = null) => LoadAsync(assembly, module).GetAwaiter().GetResult();

    /// <summary>Loads a version; the caller holds <see cref="_serial"/>.</summary>
    private async Task<ModuleVersion> LoadCoreAsync(byte[] image, string? directory, string? module, bool rebind)
    {
        // Purged versions of this module must be gone before another loads over them: collect outside every lock,
        // on the thread pool (a collection can take hundreds of milliseconds with many processes alive).
        try
        {
            return LoadCore(image, directory, module, rebind);
        }
        catch (CodeLoadException ex) when (ex.Kind == CodeErrorKind.PendingUnload && Entry(ex.Module) is { } entry)
        {
            await CollectAsync(() => !HasPendingUnload(entry), attempts: 3).ConfigureAwait(false);
            return LoadCore(image, directory, module, rebind);
        }
    }

    private bool HasPendingUnload(ModuleEntry entry)
    {
        lock (_gate)
        {
            entry.Purged.RemoveAll(v => v.IsCollected);
            return entry.Purged.Count > 0;
        }
    }

    /// <summary>Runs up to <paramref name="attempts"/> full collections on the thread pool, stopping once <paramref name="done"/>.</summary>
    private static Task CollectAsync(Func<bool> done, int attempts) => Task.Run(() =>
    {
        for (var i = 0; i < attempts && !done(); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    });

    private ModuleVersion LoadCore(byte[] image, string? directory, string? module, bool rebind)
    {
        var version = CreateVersion(image, directory, module);
        var entry = version.Entry;
        var name = entry.Name;
        try
        {
            lock (_gate)
            {
                if (entry.Old is not null) throw new CodeLoadException(CodeErrorKind.NotPurged, name, $"not_purged: {name} {entry.Old.Vsn} is still loaded as old code");
                if (entry.Current?.Vsn == version.Vsn) throw new CodeLoadException(CodeErrorKind.SameVersion, name, $"{name} {version.Vsn} is already the current version");
                entry.Purged.RemoveAll(v => v.IsCollected);
                if (entry.Purged.Count > 0) throw new CodeLoadException(CodeErrorKind.PendingUnload, name, $"{name} {entry.Purged[0].Vsn} was purged but is not unloaded yet (a callback still holds it)");
                entry.Old = entry.Current;
                entry.Current = version;
            }
        }
        catch
        {
            version.Unload();
            throw;
        }
        Loaded(version);
        if (rebind && version.Entry.Old is { } old) PostRebind(old);
        return version;
    }

    /// <summary>Fences, logs and counts a version that just became current.</summary>
    private void Loaded(ModuleVersion version)
    {
        // Pairs with the fence a starting process takes between binding itself and reading the current version: a
        // process either sees this version as current, or is in the old version's table when an upgrade reads it.
        Interlocked.MemoryBarrier();
        CodeLog.Loaded(_node.LoggerFactory.CreateLogger(CodeLog.Category), version.Entry.Name, version.Vsn);
        _node.Metrics.Loaded();
        Publish(NodeEventKind.ModuleLoaded, version.Entry.Name, version.Vsn);
    }

    private void Publish(NodeEventKind kind, string module, string version, string? detail = null)
    {
        var events = _node.Events;
        if (events.IsObserved) events.Publish(new NodeEvent(kind, events.Now) { Module = module, Version = version, Detail = detail });
    }

    /// <summary>Loads an assembly image into a fresh context and creates its module version, bound to no entry slot yet.</summary>
    private ModuleVersion CreateVersion(byte[] image, string? directory, string? module)
    {
        var context = new ModuleLoadContext($"otp-module-{module ?? "?"}", directory);
        try
        {
            Assembly assembly;
            try
            {
                assembly = ModuleVersion.LoadInto(context, image);
            }
            catch (BadImageFormatException ex)
            {
                throw new CodeLoadException(CodeErrorKind.BadFile, module ?? "?", $"badfile: not a loadable assembly ({ex.Message})", ex);
            }
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                var missing = string.Join("; ", ex.LoaderExceptions.Where(e => e is not null).Select(e => e!.Message).Distinct().Take(5));
                throw new CodeLoadException(CodeErrorKind.BadFile, module ?? assembly.GetName().Name ?? "?",
                    $"badfile: the types of {assembly.GetName().Name} cannot be loaded (a dependency is missing or of another version): {missing}", ex);
            }
            var candidates = types
                .Select(t => (Type: t, Attr: t.GetCustomAttribute<OtpModuleAttribute>()))
                .Where(x => x.Attr is not null && (module is null || x.Attr.Name == module))
                .ToArray();
            if (module is null && candidates.Length > 1)
            {
                // Unnamed: the assembly's one behaviour module, if it has exactly one.
                candidates = candidates.Where(x => IsModuleType(x.Type)).ToArray();
            }
            if (candidates.Length != 1)
            {
                throw new CodeLoadException(CodeErrorKind.NoModule, module ?? assembly.GetName().Name ?? "?",
                    candidates.Length == 0 ? $"no module {(module is null ? "" : $"'{module}' ")}in {assembly.GetName().Name}" : $"several modules in {assembly.GetName().Name}: name one");
            }
            var (type, attr) = candidates[0];
            if (!IsModuleType(type))
            {
                throw new CodeLoadException(CodeErrorKind.NotABehaviour, attr!.Name, $"{type.FullName} is neither a GenServer, a Supervisor, an Application nor an IProcessModule");
            }
            var behaviour = BehaviourOf(type);
            object instance;
            try
            {
                instance = ModuleServiceProvider.Create(type, _node.Options.Services, _node.LoggerFactory);
                // A module of another behaviour runs inside that behaviour's engine: the version's instance is the engine's
                // callback module wrapping the created one (a supervisor module: the supervisor engine).
                if (behaviour is not null) instance = behaviour.Wrap(instance, attr!.Name);
            }
            catch (Exception ex) when (ex is MissingMethodException or TargetInvocationException or MemberAccessException or InvalidOperationException)
            {
                throw new CodeLoadException(CodeErrorKind.NotABehaviour, attr!.Name, $"cannot create {type.FullName}: {ex.Message}", ex);
            }
            var name = attr!.Name;
            var entry = _modules.GetOrAdd(name, n => new ModuleEntry(n));
            return new ModuleVersion(entry, ModuleVersion.VersionOf(type, attr), context, instance, ModuleVersion.FindStateType(instance.GetType()), behaviour?.Name ?? "gen_server");
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    /// <summary>Asks every GenServer on <paramref name="old"/> to move to the current version if it accepts their state (S8).</summary>
    private static void PostRebind(ModuleVersion old)
    {
        foreach (var (process, engine) in old.Processes)
        {
            if (engine is not null) process.Deliver(new SystemRequest(SystemOp.Rebind, new CallReply(default)));
        }
    }

    private static async Task RebindAsync(ModuleVersion old)
    {
        var pending = old.Processes.Where(kv => kv.Value is not null && kv.Key.IsAlive).Select(kv => kv.Key).ToArray();
        await Task.WhenAll(pending.Select(async p =>
        {
            try
            {
                await SystemCallAsync(p, SystemOp.Rebind, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ICallFailure)
            {
                // dead or busy in an old callback: it runs old code
            }
        })).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ purge, delete, queries

    /// <summary>
    /// <c>code:purge</c> (C5): kills every process still running the old version (reason <c>killed</c>) and unloads it.
    /// True only if a process was killed (false also when there was no old code). GenServers whose state the current
    /// version accepts move to it first and survive. Waits for any other code server request to finish first;
    /// <paramref name="cancellationToken"/> cancels only that wait (an <see cref="OperationCanceledException"/>, nothing
    /// purged): once the purge has begun killing it runs to the end, since a half-done purge cannot be undone.
    /// </summary>
    public async Task<bool> PurgeAsync(string module, CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PurgeCoreAsync(module).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task<bool> PurgeCoreAsync(string module)
    {
        var entry = Entry(module);
        var old = entry?.Old;
        if (entry is null || old is null) return false;
        await RebindAsync(old).ConfigureAwait(false);
        var victims = old.LiveProcesses.ToArray();
        var exits = victims.Select(p => _node.WaitForExitAsync(p.Self)).ToArray();
        foreach (var p in victims) p.ReceiveExitSignal(default, ExitReason.Kill, viaLink: false);
        await Task.WhenAll(exits).ConfigureAwait(false);
        Unload(entry, old);
        return victims.Length > 0;
    }

    /// <summary>
    /// <c>code:soft_purge</c> (C6): false, changing nothing, if any process runs the old version; otherwise unloads it (if
    /// any) and returns true. Waits for any other code server request to finish first; <paramref name="cancellationToken"/>
    /// cancels only that wait (an <see cref="OperationCanceledException"/>, nothing changed), not a soft purge under way.
    /// </summary>
    public async Task<bool> SoftPurgeAsync(string module, CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await SoftPurgeCoreAsync(module).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task<bool> SoftPurgeCoreAsync(string module)
    {
        var entry = Entry(module);
        var old = entry?.Old;
        if (entry is null || old is null) return true;
        await RebindAsync(old).ConfigureAwait(false);
        old.Prune();
        if (old.LiveProcesses.Any()) return false;
        Unload(entry, old);
        return true;
    }

    private void Unload(ModuleEntry entry, ModuleVersion old)
    {
        lock (_gate)
        {
            if (entry.Old == old) entry.Old = null;
            entry.Purged.Add(old);
        }
        old.Unload();
        CodeLog.Purged(_node.LoggerFactory.CreateLogger(CodeLog.Category), entry.Name, old.Vsn);
        Publish(NodeEventKind.ModulePurged, entry.Name, old.Vsn);
    }

    /// <summary><c>code:delete</c> (C7): the current version becomes old (no current left); false if an old version exists.</summary>
    public async Task<bool> DeleteAsync(string module, CancellationToken cancellationToken = default)
    {
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var entry = Entry(module);
            if (entry?.Current is null) return false;
            lock (_gate)
            {
                if (entry.Old is not null) return false;
                entry.Old = entry.Current;
                entry.Current = null;
                return true;
            }
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>The blocking form of <see cref="DeleteAsync"/> (it waits for any other code server request to finish).</summary>
    public bool Delete(string module) => DeleteAsync(module).GetAwaiter().GetResult();

    /// <summary><c>erlang:check_old_code</c> (C8): whether an old version exists.</summary>
    public bool HasOldCode(string module) => Entry(module)?.Old is not null;

    /// <summary>Whether <paramref name="module"/> has a current version.</summary>
    public bool IsLoaded(string module) => Entry(module)?.Current is not null;

    /// <summary>
    /// <c>check_process_code</c> (C4): true if <paramref name="pid"/> runs the old version of <paramref name="module"/>. A
    /// GenServer idle between callbacks whose state the current version accepts does not count (S8).
    /// </summary>
    public bool CheckProcessCode(Pid pid, string module)
    {
        var entry = Entry(module);
        if (entry?.Old is not { } old || pid.Process is not { IsAlive: true } p || !old.Processes.TryGetValue(p, out var engine)) return false;
        return engine is null || entry.Current is not { } current || !current.Accepts(engine.State, old);
    }

    /// <summary>The versions of <paramref name="module"/>: current, old, and purged ones (pending unload or unloaded).</summary>
    public IReadOnlyList<ModuleVersionInfo> Versions(string module)
    {
        var entry = Entry(module);
        if (entry is null) return [];
        var list = new List<ModuleVersionInfo>();
        if (entry.Current is { } c) list.Add(c.Info(ModuleStatus.Current));
        if (entry.Old is { } o) list.Add(o.Info(ModuleStatus.Old));
        lock (_gate)
        {
            foreach (var p in entry.Purged) list.Add(p.Info(p.IsCollected ? ModuleStatus.Unloaded : ModuleStatus.PendingUnload));
        }
        return list;
    }

    /// <summary><c>code:all_loaded</c>: the names of the modules the code server knows, with a current, old or purged version, in name order.</summary>
    public IReadOnlyList<string> AllLoaded => _modules.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Purged versions whose load context has not been collected yet, across all modules.</summary>
    public IReadOnlyList<ModuleVersionInfo> PendingUnload =>
        _modules.Values.SelectMany(e => Versions(e.Name)).Where(v => v.Status == ModuleStatus.PendingUnload).ToArray();

    /// <summary>
    /// Waits until every purged version of <paramref name="module"/> has been collected, forcing collections; false if
    /// one is still held after <paramref name="timeout"/> (a callback that ignores its token, or a leaked reference).
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits until they are collected or <paramref name="cancellationToken"/> is
    /// cancelled, which ends the wait with an <see cref="OperationCanceledException"/>; waiting changes nothing, so
    /// nothing is left to undo.
    /// </summary>
    public async Task<bool> WaitForUnloadAsync(string module, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = Entry(module);
        if (entry is null) return true;
        var watch = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            bool done;
            lock (_gate) done = entry.Purged.All(v => v.IsCollected);
            if (done) return true;
            if (timeout != Timeout.InfiniteTimeSpan && watch.Elapsed > timeout) return false;
            // A collectible context goes in two collections with a finalizer pass between; later attempts leave
            // time for code still unwinding on other threads. The collections run on the thread pool, not on the
            // caller's thread (which may be a process's turn).
            await CollectAsync(static () => false, attempts: 1).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (attempt >= 2) await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Live processes bound to <paramref name="module"/> (to one version when <paramref name="version"/> is given).</summary>
    public IReadOnlyList<Pid> ProcessesRunning(string module, string? version = null)
    {
        var entry = Entry(module);
        if (entry is null) return [];
        return new[] { entry.Current, entry.Old }.Where(v => v is not null && (version is null || v.Vsn == version))
            .SelectMany(v => v!.LiveProcesses).Select(p => p.Self).ToArray();
    }

    private ModuleEntry? Entry(string module) => _modules.TryGetValue(module, out var e) ? e : null;

    /// <summary>The current version of <paramref name="module"/>, or null.</summary>
    internal ModuleVersion? CurrentVersion(string module) => Entry(module)?.Current;

    /// <summary>The loaded (current or old) version <paramref name="vsn"/> of <paramref name="module"/>, or null.</summary>
    internal ModuleVersion? FindVersion(string module, string vsn) => Entry(module)?.Find(vsn);

    /// <summary>The behaviour the current version of <paramref name="module"/> runs (<c>gen_server</c>, <c>supervisor</c>), or null.</summary>
    internal string? BehaviourOf(string module) => CurrentVersion(module)?.Behaviour;

    private ModuleVersion CurrentOf(string module) =>
        Entry(module)?.Current ?? throw new CodeLoadException(CodeErrorKind.UnknownModule, module, $"module {module} is not loaded");

    // ------------------------------------------------------------------ starting processes from modules

    /// <summary>
    /// Starts a GenServer running the current version of <paramref name="module"/>, bound to it through the registry
    /// (linked to the caller when <paramref name="link"/> and called inside a process).
    /// </summary>
    public Task<StartResult> StartGenServerAsync(string module, object? args = null, GenServerOptions? options = null, bool link = false, CancellationToken cancellationToken = default)
    {
        var version = CurrentOf(module);
        if (version.Instance is not GenServerBase server) throw new CodeLoadException(CodeErrorKind.NotABehaviour, module, $"{module} is not a GenServer module");
        return GenServer.StartCoreAsync(_node, server, args, options, link, version.Behaviour, cancellationToken, version);
    }

    /// <summary>Spawns a bare process running <see cref="IProcessModule.RunAsync"/> of the current version of <paramref name="module"/>; it stays on that version for life.</summary>
    public Pid Spawn(string module, object? args = null, SpawnOptions? options = null)
    {
        var version = CurrentOf(module);
        if (version.Instance is not IProcessModule code) throw new CodeLoadException(CodeErrorKind.NotABehaviour, module, $"{module} is not a process module");
        var pid = _node.Spawn(ctx => code.RunAsync(ctx, args), (options ?? SpawnOptions.Default) with { StartSuspended = true });
        var process = pid.Process!;
        process.CurrentModule = $"{module} {version.Vsn}";
        process.ModuleName = module;
        process.ModuleVersion = version.Vsn;
        version.Attach(process, null);
        _node.StartSuspended(pid);
        return pid;
    }

    // ------------------------------------------------------------------ upgrades

    /// <summary>
    /// Upgrades every process of <paramref name="module"/>: suspend them all, load the new version from <paramref name="path"/>,
    /// run each one's <c>CodeChange(oldVsn, state, extra)</c>, resume them all, and (optionally) soft-purge the old version.
    /// If a <c>CodeChange</c> fails, every process is put back on the old version with its old state and resumed, the new
    /// version is unloaded, and an <see cref="UpgradeFailedException"/> names the process and the failure. Messages sent
    /// meanwhile wait in the mailboxes and are served afterwards, in order (a caller's own call timeout still runs).
    /// Processes started from the module while the upgrade runs are upgraded too: those bound to the old version before
    /// the load are suspended and changed like the others, later ones start on the new version. If the upgrade rolls
    /// back, a process that started on the new version meanwhile is killed, as a purge would (its supervisor restarts it
    /// on the old version). Side effects of a <c>CodeChange</c> that rolled back (timers, names, spawns) are not undone.
    /// A soft purge that is refused at the end is logged (<c>OldCodeNotPurged</c>) and reported in
    /// <see cref="UpgradeReport.OldVersionPurged"/>. Waits for any other code server request to finish first;
    /// <paramref name="cancellationToken"/> cancels that wait and the reading of the file (an
    /// <see cref="OperationCanceledException"/>, nothing changed). Once the processes are being suspended the upgrade is not
    /// abandoned: it completes or rolls back as a whole, whatever the token says.
    /// </summary>
    public async Task<UpgradeReport> UpgradeAsync(string module, string path, object? extra = null, bool purge = true, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new CodeLoadException(CodeErrorKind.NoFile, module, $"nofile: {path}");
        await _serial.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var image = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return await ObservedUpgradeAsync(module, image, Path.GetDirectoryName(Path.GetFullPath(path)), extra, purge).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary>An upgrade in an <c>upgrade {Module}</c> span (its sys requests are child spans), timed on <see cref="OtpDiagnostics.UpgradeDuration"/>.</summary>
    private async Task<UpgradeReport> ObservedUpgradeAsync(string module, byte[] image, string? directory, object? extra, bool purge)
    {
        using var span = OtpTelemetry.Tracing ? OtpTelemetry.StartInternal("upgrade " + module) : null;
        span?.SetTag(OtpDiagnostics.ModuleTag, module);
        var histogram = _node.Metrics.UpgradeDuration;
        var measure = histogram.Enabled;
        var clock = _node.TimeProvider;
        var started = measure ? clock.GetTimestamp() : 0;
        string? errorType = null;
        try
        {
            var report = await UpgradeCoreAsync(module, image, directory, extra, purge).ConfigureAwait(false);
            span?.SetTag(OtpTelemetry.FromVersionTag, report.FromVersion);
            span?.SetTag(OtpTelemetry.ToVersionTag, report.ToVersion);
            return report;
        }
        catch (Exception ex)
        {
            errorType = ex switch
            {
                UpgradeFailedException => "upgrade_failed",
                CodeLoadException load => load.Kind.ToString(),
                _ => RequestTelemetry.ErrorType(ex),
            };
            OtpTelemetry.Fail(span, errorType, ex.Message);
            throw;
        }
        finally
        {
            if (measure) OtpMetrics.Record(histogram, clock.GetElapsedTime(started).TotalSeconds, module, null, errorType);
        }
    }

    private async Task<UpgradeReport> UpgradeCoreAsync(string module, byte[] image, string? directory, object? extra, bool purge)
    {
        var from = CurrentOf(module);
        var entry = from.Entry;
        if (entry.Old is { } stale) throw new CodeLoadException(CodeErrorKind.NotPurged, module, $"not_purged: {module} {stale.Vsn} is still loaded as old code");
        var clock = Stopwatch.StartNew();
        Publish(NodeEventKind.Upgrade, module, from.Vsn, "upgrade started");
        var suspended = await SuspendAllAsync(ServersOn(from, except: null)).ConfigureAwait(false);
        var suspendTime = clock.Elapsed;
        Publish(NodeEventKind.Upgrade, module, from.Vsn, $"suspended {suspended.Count} process{(suspended.Count == 1 ? "" : "es")}");
        ModuleVersion to;
        try
        {
            to = await LoadCoreAsync(image, directory, module, rebind: false).ConfigureAwait(false);
        }
        catch
        {
            await ResumeAllAsync(suspended).ConfigureAwait(false);
            throw;
        }
        // Servers that bound themselves to the old version after the first look (started meanwhile) are changed too;
        // any starting from now on sees the new version as current and binds to it.
        suspended.AddRange(await SuspendAllAsync(ServersOn(from, except: suspended)).ConfigureAwait(false));
        var loadTime = clock.Elapsed - suspendTime;
        var changed = new List<LocalProcess>();
        foreach (var p in suspended)
        {
            if (!from.Processes.ContainsKey(p)) continue; // moved to the new version on its own (S8) before it was suspended
            SysResult outcome;
            try
            {
                outcome = await ChangeCodeAsync(p, from.Vsn, extra).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ICallFailure)
            {
                continue; // it died meanwhile: nothing to migrate
            }
            if (!outcome.IsOk)
            {
                await RollBackAsync(entry, from, to, changed).ConfigureAwait(false);
                await ResumeAllAsync(suspended).ConfigureAwait(false);
                var failure = new UpgradeFailedException(module, p.Self, outcome.Term);
                Publish(NodeEventKind.Upgrade, module, from.Vsn, "failed and rolled back: " + failure.Message);
                throw failure;
            }
            changed.Add(p);
        }
        var changeTime = clock.Elapsed - suspendTime - loadTime;
        Publish(NodeEventKind.Upgrade, module, to.Vsn, $"code changed in {changed.Count} process{(changed.Count == 1 ? "" : "es")}");
        await ResumeAllAsync(suspended).ConfigureAwait(false);
        var resumeTime = clock.Elapsed - suspendTime - loadTime - changeTime;
        var purged = false;
        if (purge)
        {
            purged = await SoftPurgeCoreAsync(module).ConfigureAwait(false);
            if (!purged)
            {
                var left = from.LiveProcesses.Select(p => p.Self.ToString()).Take(20).ToArray();
                CodeLog.OldCodeNotPurged(_node.LoggerFactory.CreateLogger(CodeLog.Category), module, from.Vsn, to.Vsn, left.Length, string.Join(",", left));
            }
        }
        var purgeTime = clock.Elapsed - suspendTime - loadTime - changeTime - resumeTime;
        _node.Metrics.Upgraded(module);
        Publish(NodeEventKind.Upgrade, module, to.Vsn, $"upgraded from {from.Vsn} to {to.Vsn}, resumed {suspended.Count}, old code {(purged ? "purged" : "kept")}");
        return new UpgradeReport(module, from.Vsn, to.Vsn, suspended.Count, suspendTime, loadTime, changeTime, resumeTime, purgeTime, purged);
    }

    /// <summary>The GenServers bound to <paramref name="version"/>, in start order, leaving out <paramref name="except"/>.</summary>
    private static LocalProcess[] ServersOn(ModuleVersion version, List<LocalProcess>? except)
    {
        var skip = except is null ? null : new HashSet<LocalProcess>(except);
        return version.Processes.Where(kv => kv.Value is not null && (skip is null || !skip.Contains(kv.Key))).Select(kv => kv.Key).OrderBy(p => p.Id).ToArray();
    }

    private async Task RollBackAsync(ModuleEntry entry, ModuleVersion from, ModuleVersion to, List<LocalProcess> changed)
    {
        lock (_gate)
        {
            entry.Current = from;
            entry.Old = null;
        }
        Interlocked.MemoryBarrier(); // from here on, a starting process binds to the restored version
        // Each changed process still holds its state and code from before the change (until it resumes).
        await SystemCallAllAsync(_node, changed, SystemOp.RevertCode, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        // What runs the new version now started on it during the upgrade: it cannot go back, and purging kills it.
        await KillAndUnloadAsync(entry, to).ConfigureAwait(false);
        CodeLog.RolledBack(_node.LoggerFactory.CreateLogger(CodeLog.Category), entry.Name, to.Vsn, from.Vsn);
    }

    /// <summary>
    /// Rehearses the change of <paramref name="process"/> to <paramref name="newVersion"/> (loaded, current or staged: it is
    /// named, not read from the registry) with <paramref name="oldVsn"/> and <paramref name="extra"/>, suspended or not,
    /// changing nothing (<see cref="SystemOp.RehearseChange"/>). For a supervisor the outcome's detail is its child diff.
    /// A dead or unanswering process throws a call failure (<see cref="ICallFailure"/>).
    /// </summary>
    internal static async Task<RehearsalOutcome> RehearseAsync(LocalProcess process, ModuleVersion newVersion, object? oldVsn, object? extra, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(newVersion);
        return (RehearsalOutcome)(await SystemCallAsync(process, SystemOp.RehearseChange, timeout, newVersion, oldVsn, extra).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Puts a suspended <paramref name="process"/> back on the state and code it had before this suspension's
    /// <c>change_code</c> (<see cref="SystemOp.RevertCode"/>); nothing happens if none ran. A supervisor gets its old
    /// flags and specs back. A dead or unanswering process throws a call failure.
    /// </summary>
    internal static Task RevertCodeAsync(LocalProcess process, TimeSpan timeout) => SystemCallAsync(process, SystemOp.RevertCode, timeout);

    private static async Task<SysResult> ChangeCodeAsync(LocalProcess process, object? oldVsn, object? extra) =>
        new((await SystemCallAsync(process, SystemOp.ChangeCode, Timeout.InfiniteTimeSpan, null, oldVsn, extra).ConfigureAwait(false))!);

    private static Task<object?> SystemCallAsync(LocalProcess process, SystemOp op, TimeSpan timeout, object? arg = null, object? arg2 = null, object? arg3 = null)
    {
        var sink = new CallReply();
        return Requests.SendAsync<SystemOp, object?>(process, sink, new SystemRequest(op, sink, arg, arg2, arg3), timeout,
            static (r, op) => CallException.For(r, "sys", op.ToString(), TermList.Empty), op, CancellationToken.None);
    }

    /// <summary>Suspends the processes at once; one that ends first is skipped, as release_handler does (R10).</summary>
    private async Task<List<LocalProcess>> SuspendAllAsync(IReadOnlyList<LocalProcess> processes)
    {
        var replies = await SystemCallAllAsync(_node, processes, SystemOp.Suspend, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        return processes.Where((_, i) => !ReferenceEquals(replies[i], CallReply.Down)).ToList();
    }

    private Task ResumeAllAsync(IReadOnlyList<LocalProcess> processes) => SystemCallAllAsync(_node, processes, SystemOp.Resume, Timeout.InfiniteTimeSpan);
}
