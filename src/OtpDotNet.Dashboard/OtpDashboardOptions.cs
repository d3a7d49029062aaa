namespace Otp.Net.Dashboard;

/// <summary>
/// Settings of the dashboard (<see cref="OtpDashboardServiceCollectionExtensions.AddOtpDashboard"/>). The defaults are
/// the safe ones: read-only, answering only to requests addressed to this machine, no state shown but what modules
/// marked <see cref="Diagnostics.ExposeStatusAttribute"/> format for display.
/// </summary>
public sealed class OtpDashboardOptions
{
    /// <summary>
    /// Whether the action endpoints (suspend, resume, exit, restart or terminate a child, change code, upgrade, purge,
    /// release install, make permanent, roll back) exist at all (default false: read-only, they are not mapped). Each
    /// capability also needs its policy: <see cref="OperatePolicy"/>, <see cref="UpgradePolicy"/>.
    /// </summary>
    public bool EnableActions { get; set; }

    /// <summary>The authorization policy every dashboard request needs, in addition to what the endpoint group requires (null: none of its own).</summary>
    public string? ViewPolicy { get; set; }

    /// <summary>
    /// The authorization policy of the operating actions (suspend, resume, exit, restart and terminate children).
    /// Null: those actions are not offered, even with <see cref="EnableActions"/>.
    /// </summary>
    public string? OperatePolicy { get; set; }

    /// <summary>
    /// The authorization policy of the code actions (change code, upgrade, purge, soft purge, release install,
    /// make permanent, roll back). Null: those actions are not offered, even with <see cref="EnableActions"/>.
    /// </summary>
    public string? UpgradePolicy { get; set; }

    /// <summary>
    /// The host names the dashboard answers to (the request's <c>Host</c> header, without port): a guard against DNS
    /// rebinding. Default <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c>; <c>*.example.com</c> matches subdomains;
    /// <c>*</c> allows any host (then put the dashboard behind the host's own host filtering or authentication).
    /// </summary>
    public IList<string> AllowedHosts { get; } = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// A folder of module assemblies (<c>[OtpModule]</c> classes) the code view offers as upgrades, by file name.
    /// Null: no upgrade from the page (purges and releases still are).
    /// </summary>
    public string? ModuleDirectory { get; set; }

    /// <summary>Events kept for a slow viewer before the oldest are dropped (default 1024). The node never waits for a viewer.</summary>
    public int EventBufferSize { get; set; } = 1024;

    /// <summary>How often node figures and message rates are sampled while someone watches the stream (default 1 s).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Reports (warnings and errors logged by the node) kept for the reports view (default 200).</summary>
    public int ReportCapacity { get; set; } = 200;

    /// <summary>The most process rows one request of the processes list returns (default 2000; the busiest first).</summary>
    public int MaxProcessRows { get; set; } = 2000;

    /// <summary>How long a call the dashboard makes to a process (sys, supervisor) may take (default 5 s).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
