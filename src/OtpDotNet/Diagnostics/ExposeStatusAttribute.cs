namespace Otp.Net.Diagnostics;

/// <summary>
/// Lets tools that show a node to people (the dashboard) display this module's state, as its <c>FormatStatus</c>
/// returns it (never the raw state). Without it a module's state is not shown: state often holds secrets, so showing
/// it is the module author's decision.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExposeStatusAttribute : Attribute;
