using Microsoft.Extensions.Logging;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Applications;

/// <summary>
/// A node's application controller: loads application descriptors, starts them after their dependencies, stops them
/// (A4, A5), reacts to an application ending on its own according to its type (A6), stops all in the reverse of the
/// actual start order (A7), and keeps each application's environment (A8, A9). Requests that start or stop
/// applications are served one at a time; their <c>CancellationToken</c> cancels the wait for their turn (an
/// <see cref="OperationCanceledException"/>, nothing changed). A start or stop under way is not abandoned: like a call to
/// OTP's application controller, it runs to its end, so no application is left half started or half stopped.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Only the semaphore's WaitAsync is used, which never allocates a wait handle to dispose.")]
public sealed class ApplicationController
{
    private readonly Node _node;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AsyncLocal<bool> _inCallback = new();
    private readonly Dictionary<string, (ApplicationSpec Spec, Dictionary<string, object?> Env)> _loaded = new(StringComparer.Ordinal);
    private readonly List<(string Name, ApplicationType Type, ApplicationMaster? Master)> _running = [];
    private readonly TaskCompletionSource<ExitReason> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal ApplicationController(Node node) => _node = node;

    private ILogger Logger => _node.LoggerFactory.CreateLogger(ApplicationLog.Category);

    /// <summary>
    /// Completes when a transient or permanent application ended on its own and the node shut down (A6), with
    /// <c>{application_terminated, App, Reason}</c>. A host stops itself when this completes.
    /// </summary>
    public Task<ExitReason> Terminated => _terminated.Task;

    /// <summary><c>application:load</c>: <c>ok</c> or <c>{error, {already_loaded, App}}</c>.</summary>
    public ApplicationResult Load(ApplicationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_loaded)
        {
            if (_loaded.ContainsKey(spec.Name)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("already_loaded"), Atom.Of(spec.Name)));
            _loaded[spec.Name] = (spec, new Dictionary<string, object?>(spec.Env, StringComparer.Ordinal));
        }
        return ApplicationResult.Ok;
    }

    /// <summary>
    /// <c>application:start(App, Type)</c> (A2, A3): <c>ok</c>, <c>{error, {not_started, Dep}}</c>,
    /// <c>{error, {already_started, App}}</c>, or the start function's error. <paramref name="cancellationToken"/> cancels
    /// only the wait for the controller (an <see cref="OperationCanceledException"/>, nothing started), not a start under way.
    /// </summary>
    public async Task<ApplicationResult> StartAsync(string name, ApplicationType type = ApplicationType.Temporary, CancellationToken cancellationToken = default)
    {
        ThrowIfCallingSelf();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartLockedAsync(name, type).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ApplicationResult> StartLockedAsync(string name, ApplicationType type)
    {
        ApplicationSpec spec;
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(name, out var entry)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("not_loaded"), Atom.Of(name)));
            spec = entry.Spec;
        }
        if (IsRunning(name)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("already_started"), Atom.Of(name)));
        foreach (var dep in spec.Applications)
        {
            if (!IsRunning(dep)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("not_started"), Atom.Of(dep)));
        }
        ApplicationMaster? master = null;
        if (spec.Mod is not null)
        {
            master = new ApplicationMaster(this, spec, type);
            var result = await master.StartAsync(_node).ConfigureAwait(false);
            if (!result.IsOk) return result;
        }
        lock (_running) _running.Add((name, type, master));
        ApplicationLog.Started(Logger, name, type.ToString().ToLowerInvariant());
        return ApplicationResult.Ok;
    }

    /// <summary>
    /// <c>application:ensure_all_started</c> (A2): starts the dependencies first (depth first, in the order they are
    /// listed), then the application; returns the applications it started, in start order, or the first error. A
    /// dependency cycle is refused. <paramref name="cancellationToken"/> cancels only the wait for the controller (an
    /// <see cref="OperationCanceledException"/>, nothing started), not the starts under way.
    /// </summary>
    public async Task<(ApplicationResult Result, IReadOnlyList<string> Started)> EnsureAllStartedAsync(string name, ApplicationType type = ApplicationType.Temporary, CancellationToken cancellationToken = default)
    {
        ThrowIfCallingSelf();
        var started = new List<string>();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await EnsureLockedAsync(name, type, started, []).ConfigureAwait(false);
            return (result, started);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ApplicationResult> EnsureLockedAsync(string name, ApplicationType type, List<string> started, HashSet<string> path)
    {
        if (IsRunning(name)) return ApplicationResult.Ok;
        if (!path.Add(name)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("circular_dependencies"), Atom.Of(name)));
        ApplicationSpec spec;
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(name, out var entry)) return ApplicationResult.Error(TermTuple.Of(Atom.Of("not_loaded"), Atom.Of(name)));
            spec = entry.Spec;
        }
        foreach (var dep in spec.Applications)
        {
            var r = await EnsureLockedAsync(dep, type, started, path).ConfigureAwait(false);
            if (!r.IsOk) return r;
        }
        path.Remove(name);
        var result = await StartLockedAsync(name, type).ConfigureAwait(false);
        if (result.IsOk) started.Add(name);
        return result;
    }

    /// <summary>
    /// <c>application:stop</c> (A4, A5): <c>PrepStop</c>, shut the tree down, <c>Stop</c>; <c>ok</c> or
    /// <c>{error, {not_started, App}}</c>. Dependents and dependencies keep running; an explicit stop never shuts the node down.
    /// <paramref name="cancellationToken"/> cancels only the wait for the controller (an
    /// <see cref="OperationCanceledException"/>, the application still running), not a stop under way.
    /// </summary>
    public async Task<ApplicationResult> StopAsync(string name, CancellationToken cancellationToken = default)
    {
        ThrowIfCallingSelf();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StopLockedAsync(name).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ApplicationResult> StopLockedAsync(string name)
    {
        (string Name, ApplicationType Type, ApplicationMaster? Master) entry;
        lock (_running)
        {
            var i = _running.FindIndex(r => r.Name == name);
            if (i < 0) return ApplicationResult.Error(TermTuple.Of(Atom.Of("not_started"), Atom.Of(name)));
            entry = _running[i];
            _running.RemoveAt(i); // removed first: its tree's exit is not an ending "on its own"
        }
        if (entry.Master is { } master && _node.IsAlive(master.Pid))
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var exit = _node.WaitForExitAsync(master.Pid);
            _node.Send(master.Pid, new ApplicationMaster.StopCommand(done));
            await Task.WhenAny(done.Task, exit).ConfigureAwait(false);
        }
        ApplicationLog.Exited(Logger, name, "stopped", entry.Type.ToString().ToLowerInvariant());
        return ApplicationResult.Ok;
    }

    /// <summary>
    /// A7: stops every running application in the reverse of the order they were actually started. Cancelling
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/> before the next application's
    /// stop begins: those already stopped stay stopped, the others keep running, and a later call stops them.
    /// </summary>
    public async Task StopAllAsync(CancellationToken cancellationToken = default)
    {
        string[] names;
        lock (_running) names = _running.Select(r => r.Name).Reverse().ToArray();
        foreach (var n in names) await StopAsync(n, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>application:which_applications</c>: running applications, most recently started first.</summary>
    public IReadOnlyList<ApplicationInfo> WhichApplications()
    {
        lock (_running)
        {
            lock (_loaded)
            {
                return _running.AsEnumerable().Reverse().Select(r => _loaded[r.Name].Spec).Select(s => new ApplicationInfo(s.Name, s.Description, s.Version)).ToArray();
            }
        }
    }

    /// <summary><c>application:get_env(App, Key)</c> (A9): whether the key is set, and its value.</summary>
    public bool TryGetEnv(string application, string key, out object? value)
    {
        lock (_loaded)
        {
            value = null;
            return _loaded.TryGetValue(application, out var entry) && entry.Env.TryGetValue(key, out value);
        }
    }

    /// <summary><c>application:set_env(App, Key, Value)</c>. Fails with <c>calling_self</c> inside <c>ConfigChange</c> (A8).</summary>
    public void SetEnv(string application, string key, object? value)
    {
        ThrowIfCallingSelf();
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(application, out var entry)) throw new InvalidOperationException($"application {application} is not loaded");
            entry.Env[key] = value;
        }
    }

    /// <summary>
    /// Replaces an application's environment (as a release install does, R4) and, if the application runs and anything
    /// changed, calls its <c>ConfigChange(Changed, New, Removed)</c> (A8). Keys set at run time count as present.
    /// A token already cancelled throws <see cref="OperationCanceledException"/> with the environment unchanged;
    /// cancelling it while <c>ConfigChange</c> runs ends only the wait: the new environment stays and the callback runs to its end.
    /// </summary>
    public async Task ChangeConfigAsync(string application, IReadOnlyDictionary<string, object?> newEnv, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newEnv);
        ThrowIfCallingSelf();
        cancellationToken.ThrowIfCancellationRequested();
        Dictionary<string, object?> changed = new(StringComparer.Ordinal), added = new(StringComparer.Ordinal);
        List<string> removed;
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(application, out var entry)) throw new InvalidOperationException($"application {application} is not loaded");
            foreach (var (k, v) in newEnv)
            {
                if (!entry.Env.TryGetValue(k, out var old)) added[k] = v;
                else if (!Equals(old, v)) changed[k] = v;
            }
            removed = entry.Env.Keys.Where(k => !newEnv.ContainsKey(k)).ToList();
            entry.Env.Clear();
            foreach (var (k, v) in newEnv) entry.Env[k] = v;
        }
        if (changed.Count + added.Count + removed.Count == 0) return;
        ApplicationMaster? master;
        lock (_running) master = _running.FirstOrDefault(r => r.Name == application).Master;
        if (master is null || !_node.IsAlive(master.Pid)) return;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = Node.WatchExit(master.Pid); // a master that dies with the command queued ends the wait
        _node.Send(master.Pid, new ApplicationMaster.ConfigChangeCommand(async module =>
        {
            _inCallback.Value = true; // A8: it runs as the controller; calling back into it is calling_self
            await module.ConfigChangeAsync(changed, added, removed, CancellationToken.None).ConfigureAwait(false);
        }, done));
        await Task.WhenAny(done.Task, watch.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!done.Task.IsCompleted) return; // the application ended meanwhile: there is no one left to tell
        await done.Task.ConfigureAwait(false);
    }

    /// <summary><c>application:unload</c>: forgets a loaded application that is not running; false if it runs or is unknown.</summary>
    internal bool Unload(string name)
    {
        if (IsRunning(name)) return false;
        lock (_loaded) return _loaded.Remove(name);
    }

    /// <summary>The loaded descriptor and a copy of the environment of <paramref name="name"/>, or null.</summary>
    internal (ApplicationSpec Spec, IReadOnlyDictionary<string, object?> Env)? Loaded(string name)
    {
        lock (_loaded)
        {
            return _loaded.TryGetValue(name, out var entry) ? (entry.Spec, new Dictionary<string, object?>(entry.Env, StringComparer.Ordinal)) : null;
        }
    }

    /// <summary>Replaces a loaded application's descriptor, keeping its environment (a release install, R4); returns the previous one.</summary>
    internal ApplicationSpec ReplaceSpec(ApplicationSpec spec)
    {
        lock (_loaded)
        {
            var entry = _loaded[spec.Name];
            _loaded[spec.Name] = (spec, entry.Env);
            return entry.Spec;
        }
    }

    /// <summary>Replaces a loaded application's environment without calling <c>ConfigChange</c> (undoing an unload).</summary>
    internal void ReplaceEnv(string name, IReadOnlyDictionary<string, object?> env)
    {
        lock (_loaded)
        {
            if (!_loaded.TryGetValue(name, out var entry)) return;
            entry.Env.Clear();
            foreach (var (k, v) in env) entry.Env[k] = v;
        }
    }

    /// <summary>The start type of a running application, or null when it does not run.</summary>
    internal ApplicationType? RunningType(string name)
    {
        lock (_running)
        {
            var i = _running.FindIndex(r => r.Name == name);
            return i < 0 ? null : _running[i].Type;
        }
    }

    private bool IsRunning(string name)
    {
        lock (_running) return _running.Any(r => r.Name == name);
    }

    private void ThrowIfCallingSelf()
    {
        if (_inCallback.Value) throw new InvalidOperationException("calling_self: the application controller is running this callback");
    }

    /// <summary>A6: the application's tree ended by itself.</summary>
    internal void OnTerminatedOnItsOwn(string name, ApplicationType type, ExitReason reason)
    {
        lock (_running)
        {
            var i = _running.FindIndex(r => r.Name == name);
            if (i < 0) return; // being stopped explicitly
            _running.RemoveAt(i);
        }
        ApplicationLog.Exited(Logger, name, reason.ToString(), type.ToString().ToLowerInvariant());
        var fatal = type == ApplicationType.Permanent || (type == ApplicationType.Transient && !reason.IsNormal);
        if (!fatal) return;
        ApplicationLog.NodeShutdown(Logger, name, reason.ToString());
        // Runs outside the dying master's process context: the node's shutdown is not that process's code.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                await StopAllAsync().ConfigureAwait(false);
                _terminated.TrySetResult(ExitReason.Of(TermTuple.Of(Atom.Of("application_terminated"), Atom.Of(name), reason)));
            });
        }
    }
}
