using System.Collections.Concurrent;
using System.Reflection;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Code;

/// <summary>
/// One loaded version of a module: its load context, its callback instance and the processes bound to it. Purging
/// drops every strong reference to the context and unloads it; <see cref="IsCollected"/> then tells when the
/// runtime has actually freed it.
/// </summary>
internal sealed class ModuleVersion
{
    private readonly WeakReference _contextRef;
    private ModuleLoadContext? _context;

    public ModuleVersion(ModuleEntry entry, string vsn, ModuleLoadContext context, object instance, Type? stateType, string behaviour = "gen_server")
    {
        Behaviour = behaviour;
        Entry = entry;
        Vsn = vsn;
        _context = context;
        _contextRef = new WeakReference(context, trackResurrection: false);
        Instance = instance;
        StateType = stateType;
    }

    public ModuleEntry Entry { get; }

    public string Vsn { get; }

    /// <summary>The behaviour its processes run (<c>gen_server</c>, <c>supervisor</c>), as <c>get_status</c> reports it.</summary>
    public string Behaviour { get; }

    /// <summary>
    /// The callback instance (a <see cref="GenServerBase"/>, which for a supervisor module is the supervisor engine wrapping
    /// it, or an <see cref="IProcessModule"/>); null once purged.
    /// </summary>
    public object? Instance { get; private set; }

    /// <summary>For a GenServer module: its state type (for a supervisor module, the supervisor engine's).</summary>
    public Type? StateType { get; private set; }

    public bool IsPurged { get; private set; }

    public bool IsCollected => !_contextRef.IsAlive;

    /// <summary>Processes bound to this version (the engine for GenServers, null for bare processes).</summary>
    public ConcurrentDictionary<LocalProcess, GenServerProcess?> Processes { get; } = new();

    private int _attachesSincePrune;
    private int _sizeAfterPrune;

    public IEnumerable<LocalProcess> LiveProcesses => Processes.Keys.Where(p => p.IsAlive);

    /// <summary>
    /// Whether this version's code can take <paramref name="state"/>, coming from <paramref name="leaving"/>, as it is
    /// (S8): the state must be of this version's state type, and must not reach any object, type or delegate of the
    /// version it leaves (a state typed <c>object</c>, an interface or a shared container may still hold old objects;
    /// moving it would run new code on them and keep the old version loaded). A state too large to check is not taken.
    /// </summary>
    public bool Accepts(object? state, ModuleVersion? leaving)
    {
        if (StateType is not { } t) return false;
        if (state is null) return !t.IsValueType || Nullable.GetUnderlyingType(t) is not null;
        if (!t.IsInstanceOfType(state)) return false;
        return leaving is null || leaving == this || leaving.Context is not { } old || ObjectGraph.Reaches(state, old, out _) == ObjectGraph.Found.None;
    }

    /// <summary>The version's load context (null once purged).</summary>
    public System.Runtime.Loader.AssemblyLoadContext? Context => _context;

    public void Attach(LocalProcess process, GenServerProcess? engine)
    {
        // Exited processes are pruned when attachments since the last prune outnumber what that prune left: the
        // scans cost O(1) per attachment, amortized.
        if (Interlocked.Increment(ref _attachesSincePrune) > Math.Max(1024, Volatile.Read(ref _sizeAfterPrune))) Prune();
        Processes[process] = engine;
        if (!process.IsAlive) Processes.TryRemove(process, out _);
    }

    public void Detach(LocalProcess process) => Processes.TryRemove(process, out _);

    public void Prune()
    {
        Volatile.Write(ref _attachesSincePrune, 0);
        var left = 0;
        foreach (var (p, _) in Processes)
        {
            if (!p.IsAlive) Processes.TryRemove(p, out _);
            else left++;
        }
        Volatile.Write(ref _sizeAfterPrune, left);
    }

    /// <summary>Drops every reference to the module's code and starts unloading its context.</summary>
    public void Unload()
    {
        IsPurged = true;
        Instance = null;
        StateType = null;
        Processes.Clear();
        var context = _context;
        _context = null;
        context?.Unload();
    }

    public static Type? FindStateType(Type moduleType)
    {
        for (var t = moduleType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(GenServer<>)) return t.GetGenericArguments()[0];
        }
        return null;
    }

    public static string VersionOf(Type moduleType, OtpModuleAttribute attribute) =>
        attribute.Vsn ?? moduleType.Assembly.GetName().Version?.ToString() ?? "0";

    public override string ToString() => $"{Entry.Name} {Vsn}";

    public ModuleVersionInfo Info(ModuleStatus status) => new(Entry.Name, Vsn, status, LiveProcesses.Count());

    internal static Assembly LoadInto(ModuleLoadContext context, byte[] image)
    {
        using var stream = new MemoryStream(image, writable: false);
        return context.LoadFromStream(stream);
    }
}
