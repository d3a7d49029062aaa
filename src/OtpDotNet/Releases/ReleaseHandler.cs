using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Otp.Net.Code;
using Otp.Net.Diagnostics;

namespace Otp.Net.Releases;

/// <summary>
/// A node's release handler (<c>release_handler</c>), over the releases directory of
/// <see cref="NodeOptions.ReleasesDirectory"/>: unpacks release packages, rehearses and installs upgrades and
/// downgrades between releases, makes a release permanent, removes old ones, and boots the permanent release when the
/// node starts. It acts as one process: installs and rehearsals never interleave (a second one started meanwhile is
/// refused with <see cref="ReleaseErrorKind.InstallInProgress"/>), and an install holds the code server, so no module
/// load, upgrade or purge interleaves with it either.
/// <para>
/// Beyond OTP: <see cref="CheckInstallAsync"/> rehearses every code change on a copy of each affected process's live
/// state, and <see cref="InstallAsync"/> rolls back at any step, in process, instead of restarting the node (R5, R6).
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Only the semaphore's Wait(0)/WaitAsync are used, which never allocate a wait handle to dispose.")]
public sealed class ReleaseHandler
{
    private readonly Node _node;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Channel<JournalEntry>> _watchers = [];
    private readonly Dictionary<string, PurgeMode> _postPurge = new(StringComparer.Ordinal);
    private ReleaseStore? _store;
    private volatile string? _current;

    internal ReleaseHandler(Node node) => _node = node;

    private ILogger Logger => _node.LoggerFactory.CreateLogger(ReleaseLog.Category);

    /// <summary>Whether the node has a releases directory.</summary>
    public bool IsConfigured => _node.Options.ReleasesDirectory is not null;

    /// <summary>The version of the release the node runs (the installed one, or the booted permanent one); null before a boot.</summary>
    public string? CurrentVersion => _current;

    private ReleaseStore Store()
    {
        if (_store is { } store) return store;
        var directory = _node.Options.ReleasesDirectory ?? throw new ReleaseException(ReleaseErrorKind.NotConfigured, "the node has no releases directory (NodeOptions.ReleasesDirectory)");
        return _store = ReleaseStore.Open(directory);
    }

    /// <summary>
    /// <c>release_handler:which_releases</c>: every release with its status. The running release that is not permanent
    /// shows as <see cref="ReleaseStatus.Current"/> (R1), a status that is never written to disk.
    /// </summary>
    public IReadOnlyList<ReleaseInfo> WhichReleases()
    {
        var current = _current;
        return Store().Releases
            .Select(r => r.Version == current && r.Status != ReleaseStatus.Permanent ? r with { Status = ReleaseStatus.Current } : r)
            .ToArray();
    }

    /// <summary>
    /// <c>release_handler:unpack_release</c> (R2): verifies the package (every hash, the signature when
    /// <see cref="NodeOptions.ReleaseTrust"/> is set, the host requirements) and unpacks it into the releases directory
    /// as <see cref="ReleaseStatus.Unpacked"/>. Any failure is a <see cref="ReleaseException"/>, with nothing changed on
    /// disk or in memory.
    /// </summary>
    public async Task<ReleaseManifest> UnpackAsync(string packagePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(packagePath);
        var store = Store();
        var manifest = await store.UnpackAsync(packagePath, _node.Options.ReleaseTrust, cancellationToken).ConfigureAwait(false);
        ReleaseLog.Unpacked(Logger, manifest.Name, manifest.Version);
        return manifest;
    }

    /// <summary>
    /// Boots a release: loads every module of every application, then starts the applications in order, each after
    /// its dependencies, with its descriptor's type. The release booted is the permanent one; when the directory has
    /// none yet, <paramref name="initialVersion"/> (an unpacked release), or the only unpacked release when none is named,
    /// is booted and made permanent. Under <c>AddOtp</c>, a node with a releases directory boots this way as it starts. A process restart
    /// after <see cref="MakePermanentAsync"/> thus runs the new code, and before it the old (R1).
    /// </summary>
    public async Task<ReleaseManifest> BootAsync(string? initialVersion = null, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current is { } running) throw new ReleaseException(ReleaseErrorKind.AlreadyBooted, $"release {running} already runs", version: running);
            var store = Store();
            var unpacked = store.Releases.Where(r => r.Status == ReleaseStatus.Unpacked).ToArray();
            var version = store.Permanent?.Version ?? initialVersion ?? (unpacked.Length == 1 ? unpacked[0].Version : null)
                ?? throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"{store.DirectoryPath} has no permanent release, and no initial release was named among its {unpacked.Length} unpacked ones");
            if (store.Find(version) is null) throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"{{no_such_release, \"{version}\"}}", version: version);
            var manifest = store.Manifest(version);
            if (manifest.Host.Check() is { } mismatch) throw new ReleaseException(ReleaseErrorKind.RestartRequired, mismatch, version: version);
            var started = new List<string>();
            var loadedHere = new List<string>();
            var appsLoaded = new List<string>();
            try
            {
                foreach (var module in manifest.Applications.SelectMany(a => a.Modules))
                {
                    var loaded = _node.Code.Versions(module.Name).FirstOrDefault(v => v.Status == ModuleStatus.Current);
                    if (loaded?.Version == module.Version) continue;
                    await _node.Code.LoadAsync(store.PathOf(version, module.File), module.Name, cancellationToken).ConfigureAwait(false);
                    loadedHere.Add(module.Name);
                }
                foreach (var app in manifest.Applications)
                {
                    var result = _node.Applications.Load(ReleaseApplications.ToSpec(_node, app));
                    if (result.IsOk) appsLoaded.Add(app.Name);
                    else throw new ReleaseException(ReleaseErrorKind.BootFailed, $"load {app.Name}: {result}", version: version);
                }
                foreach (var app in manifest.Applications)
                {
                    var (result, now) = await _node.Applications.EnsureAllStartedAsync(app.Name, app.Type, cancellationToken).ConfigureAwait(false);
                    started.AddRange(now);
                    if (!result.IsOk) throw new ReleaseException(ReleaseErrorKind.BootFailed, $"start {app.Name}: {result}", version: version);
                }
            }
            catch
            {
                // A boot that fails leaves the node as it found it: what started is stopped, what was loaded is unloaded.
                for (var i = started.Count - 1; i >= 0; i--) await _node.Applications.StopAsync(started[i], CancellationToken.None).ConfigureAwait(false);
                foreach (var app in appsLoaded) _node.Applications.Unload(app);
                foreach (var module in loadedHere)
                {
                    await _node.Code.DeleteAsync(module, CancellationToken.None).ConfigureAwait(false);
                    await _node.Code.PurgeAsync(module, CancellationToken.None).ConfigureAwait(false);
                }
                throw;
            }
            if (store.Permanent is null) await store.MarkPermanentAsync(version, CancellationToken.None).ConfigureAwait(false);
            _current = version;
            ReleaseLog.Booted(Logger, manifest.Name, version);
            return manifest;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <c>release_handler:check_install_release</c>, as a full rehearsal (R2 and beyond): resolves the instructions,
    /// stages the new code in fresh load contexts, runs the applies placed before <c>point_of_no_return</c> (R2), finds the
    /// exact processes each step touches (from the code server's bindings, not child-spec <c>modules</c> lists), runs each
    /// one's new <c>CodeChange</c> on a copy of its live state, dry-runs each updated supervisor's new <c>Init</c>, and
    /// reports every problem. Nothing live changes; the staged code is unloaded afterwards.
    /// </summary>
    public Task<RehearsalReport> CheckInstallAsync(string version, InstallOptions? options = null, CancellationToken cancellationToken = default) =>
        ExclusiveAsync(version, options, plan => new ReleaseRehearsal(_node, Store(), plan.From, plan.To, plan.Direction, plan.Options).RunAsync(plan.Steps), cancellationToken);

    /// <summary>The plan of an install or rehearsal: the two releases, the direction, the instructions and their steps.</summary>
    private sealed record Plan(ReleaseManifest From, ReleaseManifest To, ChangeDirection Direction, IReadOnlyList<AppupInstruction> Instructions, IReadOnlyList<ReleaseStep> Steps, InstallOptions Options);

    /// <summary>
    /// Runs an install or a rehearsal alone: refused while another runs (installs never interleave), planned from the
    /// releases (refused before any step when not in the <paramref name="expected"/> direction), then run holding the code server (<paramref name="cancellationToken"/> cancels only the wait for it).
    /// </summary>
    private async Task<T> ExclusiveAsync<T>(string version, InstallOptions? options, Func<Plan, Task<T>> run, CancellationToken cancellationToken, ChangeDirection? expected = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        options ??= InstallOptions.Default;
        options.Validate();
        if (!_gate.Wait(0, CancellationToken.None)) throw Busy();
        try
        {
            var (from, to, direction, instructions) = Resolve(version);
            if (expected is { } wanted && direction != wanted)
            {
                throw new ReleaseException(ReleaseErrorKind.WrongDirection,
                    $"going from {from.Version} to {to.Version} is {(direction == ChangeDirection.Up ? "an upgrade" : "a downgrade")}, not {(wanted == ChangeDirection.Up ? "an upgrade" : "a downgrade")}",
                    version: version);
            }
            var plan = new Plan(from, to, direction, instructions, ReleaseSteps.Compile(instructions, from, to, direction, options), options);
            await _node.Code.EnterAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await run(plan).ConfigureAwait(false);
            }
            finally
            {
                _node.Code.Exit();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <c>release_handler:install_release</c> (R3): upgrades to <paramref name="version"/> with its upgrade section's entry
    /// for the running release, or downgrades to it with the running (newer) release's downgrade section (R3). Every step
    /// is journaled and published on <see cref="WatchAsync"/>. A failure at any step — suspend timeout, a code change, a
    /// new child's init, an apply, a <c>ConfigChange</c>, the health probe — rolls everything back and throws a
    /// <see cref="ReleaseInstallException"/> with the journal; the node keeps running the release it ran. The new
    /// release becomes <see cref="ReleaseStatus.Current"/> (not written to disk: a restart boots the permanent one).
    /// <paramref name="cancellationToken"/> cancels the wait for the code server (nothing changed) and the probe's waits;
    /// once the steps run, the install completes or rolls back as a whole.
    /// </summary>
    public Task<InstallResult> InstallAsync(string version, InstallOptions? options = null, CancellationToken cancellationToken = default) =>
        InstallObservedAsync(version, options, expected: null, observe: null, cancellationToken);

    /// <summary>
    /// <see cref="InstallAsync(string, InstallOptions?, CancellationToken)"/>, refused with
    /// <see cref="ReleaseErrorKind.WrongDirection"/> before any step when the change is not in the
    /// <paramref name="expected"/> direction, and with each journal entry also given to <paramref name="observe"/>.
    /// </summary>
    internal Task<InstallResult> InstallObservedAsync(string version, InstallOptions? options, ChangeDirection? expected, Action<JournalEntry>? observe, CancellationToken cancellationToken) =>
        ExclusiveAsync(version, options, async plan =>
        {
            using var span = OtpTelemetry.Tracing ? OtpTelemetry.StartInternal("release install " + version) : null;
            try
            {
                Action<JournalEntry> publish = observe is null ? Publish : entry =>
                {
                    Publish(entry);
                    observe(entry);
                };
                var run = new ReleaseInstall(_node, Store(), plan.From, plan.To, plan.Direction, plan.Options, publish);
                await run.RunAsync(plan.Steps, cancellationToken).ConfigureAwait(false);
                await run.CommitAsync().ConfigureAwait(false);
                // R7: old code still in use after the install is purged at make_permanent, brutally unless the
                // instruction that loaded the module asked for a soft purge.
                _postPurge.Clear();
                foreach (var module in plan.Steps.OfType<LoadObjectCodeStep>().SelectMany(s => s.Modules)) _postPurge[module] = PurgeMode.BrutalPurge;
                foreach (var instruction in plan.Instructions)
                {
                    if (instruction is UpdateInstruction u) _postPurge[u.Module] = u.PostPurge;
                    else if (instruction is LoadModuleInstruction l) _postPurge[l.Module] = l.PostPurge;
                }
                _current = plan.To.Version;
                ReleaseLog.Installed(Logger, plan.To.Version, plan.From.Version);
                return new InstallResult(plan.From.Version, plan.To.Version, plan.Direction, run.Journal.ToArray());
            }
            catch (ReleaseInstallException ex)
            {
                OtpTelemetry.Fail(span, "release_install_failed", ex.Reason);
                throw;
            }
        }, cancellationToken, expected);

    /// <summary>
    /// <c>release_handler:make_permanent</c> (R1, R7): the running release becomes permanent (written atomically; the
    /// previous permanent one becomes old) and the old code of the modules its install updated is purged per their
    /// <c>PostPurge</c>: brutal kills the processes still on it, soft purges only when none is.
    /// </summary>
    public async Task MakePermanentAsync(string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var store = Store();
            if (store.Find(version) is null) throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"no release {version}", version: version);
            if (_current != version) throw new ReleaseException(ReleaseErrorKind.NotCurrent, $"release {version} is not the running release ({_current ?? "none"})", version: version);
            await store.MarkPermanentAsync(version, CancellationToken.None).ConfigureAwait(false);
            foreach (var (module, mode) in _postPurge)
            {
                var users = _node.Code.OldCodeUsers(module).Count;
                if (mode == PurgeMode.BrutalPurge)
                {
                    await _node.Code.PurgeAsync(module, CancellationToken.None).ConfigureAwait(false);
                    if (users > 0) ReleaseLog.PurgedAtPermanent(Logger, version, module, users);
                }
                else
                {
                    await _node.Code.SoftPurgeAsync(module, CancellationToken.None).ConfigureAwait(false);
                }
            }
            _postPurge.Clear();
            ReleaseLog.MadePermanent(Logger, version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// <c>release_handler:remove_release</c>: deletes a release that is neither permanent nor running, folder and entry.
    /// </summary>
    public async Task RemoveAsync(string version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_current == version) throw new ReleaseException(ReleaseErrorKind.CurrentRelease, $"release {version} is running", version: version);
            await Store().RemoveAsync(version, cancellationToken).ConfigureAwait(false);
            ReleaseLog.Removed(Logger, version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The journal of every install from now on, live: each step as it is done, failed or undone. The stream ends when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<JournalEntry> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<JournalEntry>(new UnboundedChannelOptions { SingleReader = true });
        lock (_watchers) _watchers.Add(channel);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var entry)) yield return entry;
            }
        }
        finally
        {
            lock (_watchers) _watchers.Remove(channel);
        }
    }

    private void Publish(JournalEntry entry)
    {
        lock (_watchers)
        {
            foreach (var w in _watchers) w.Writer.TryWrite(entry);
        }
        var events = _node.Events;
        if (events.IsObserved) events.Publish(new NodeEvent(NodeEventKind.Release, events.Now) { Version = entry.Version, Journal = entry, Detail = entry.ToString() });
    }

    private (ReleaseManifest From, ReleaseManifest To, ChangeDirection Direction, IReadOnlyList<AppupInstruction> Instructions) Resolve(string version)
    {
        var store = Store();
        var current = _current ?? throw new ReleaseException(ReleaseErrorKind.NoCurrentRelease, "no release runs on this node: boot one first (BootAsync)");
        if (current == version) throw new ReleaseException(ReleaseErrorKind.AlreadyInstalled, $"{{already_installed, \"{version}\"}}", version: version); // R3
        if (store.Find(version) is null) throw new ReleaseException(ReleaseErrorKind.NoSuchRelease, $"{{no_such_release, \"{version}\"}}", version: version); // R3
        var from = store.Manifest(current);
        var to = store.Manifest(version);
        if (to.Host.Check() is { } mismatch) throw new ReleaseException(ReleaseErrorKind.RestartRequired, mismatch, version: version);
        if (to.Upgrades.FirstOrDefault(e => e.Version == from.Version) is { } up) return (from, to, ChangeDirection.Up, up.Instructions);
        // R3: a downgrade runs the down-section of the current (newer) release's relup.
        if (from.Downgrades.FirstOrDefault(e => e.Version == to.Version) is { } down) return (from, to, ChangeDirection.Down, down.Instructions);
        throw new ReleaseException(ReleaseErrorKind.NoRelup, $"neither release {to.Version} upgrades from {from.Version} nor {from.Version} downgrades to {to.Version}", version: version);
    }

    private static ReleaseException Busy() => new(ReleaseErrorKind.InstallInProgress, "another install or rehearsal is running");
}
