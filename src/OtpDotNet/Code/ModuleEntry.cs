namespace Otp.Net.Code;

/// <summary>A module's slot in the registry: at most a current and an old version (C1).</summary>
internal sealed class ModuleEntry(string name)
{
    private volatile ModuleVersion? _current;
    private volatile ModuleVersion? _old;

    public string Name { get; } = name;

    /// <summary>The current version (read on every dispatch of a bound process; a volatile read).</summary>
    public ModuleVersion? Current
    {
        get => _current;
        set => _current = value;
    }

    public ModuleVersion? Old
    {
        get => _old;
        set => _old = value;
    }

    /// <summary>Purged versions whose load context has not been collected yet.</summary>
    public List<ModuleVersion> Purged { get; } = [];

    /// <summary>A version a release install has loaded but not made current yet (a downgrade's target, R8.4).</summary>
    public ModuleVersion? Staged { get; set; }

    public ModuleVersion? Find(string vsn) =>
        _current is { } c && c.Vsn == vsn ? c : _old is { } o && o.Vsn == vsn ? o : Staged is { } st && st.Vsn == vsn ? st : null;
}
