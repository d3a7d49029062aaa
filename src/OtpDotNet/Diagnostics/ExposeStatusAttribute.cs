namespace Otp.Net.Diagnostics;

/// <summary>
/// Lets tools that show a node to people (the dashboard) display this module's state, as its <c>FormatStatus</c>
/// returns it (never the raw state). Without it a module's state is not shown: state often holds secrets, so showing
/// it is the module author's decision.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExposeStatusAttribute : Attribute
{
    // Weak keys: a module type from a collectible context does not stay loaded for this cache.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Type, object> Marked = new();
    private static readonly object Yes = true;
    private static readonly object No = false;

    /// <summary>Whether <paramref name="moduleType"/> carries the attribute (cached per type).</summary>
    internal static bool IsOn(Type moduleType) =>
        (bool)Marked.GetValue(moduleType, static t => t.IsDefined(typeof(ExposeStatusAttribute), inherit: false) ? Yes : No);
}
