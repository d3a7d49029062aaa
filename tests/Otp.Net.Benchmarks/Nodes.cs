using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Otp.Net.Dashboard;

namespace Otp.Net.Benchmarks;

/// <summary>
/// Creates the nodes of the Otp.Net workloads: as the contract says, with logging off. For the runtime
/// <c>otpnet-dashboard</c> each node also has the dashboard mapped in a Kestrel host on 127.0.0.1, with nobody
/// watching: the suite's <c>--dashboard</c> mode compares the two to show an idle dashboard costs the node nothing.
/// </summary>
internal static class Nodes
{
    private static readonly List<WebApplication> Hosts = [];

    /// <summary>Set by the program for the <c>otpnet-dashboard</c> runtime.</summary>
    public static bool WithDashboard { get; set; }

    public static Node New(Func<NodeOptions, NodeOptions>? configure = null)
    {
        // The contract runs with logging off. OTPNET_HANDOFF=0 turns hand-off slots off, to compare the two.
        var options = new NodeOptions { LoggerFactory = NullLoggerFactory.Instance, HandOff = Environment.GetEnvironmentVariable("OTPNET_HANDOFF") != "0" };
        var node = new Node(configure?.Invoke(options) ?? options);
        if (WithDashboard) MapDashboard(node);
        ReportSuspensionsAtExit();
        return node;
    }

    private static int s_reporting;

    /// <summary>
    /// Prints, when the program ends, how often hand-off slots were suspended for other programs' load (read from the
    /// library's internal counter: its metric reports nothing once the nodes are disposed).
    /// </summary>
    private static void ReportSuspensionsAtExit()
    {
        if (Interlocked.Exchange(ref s_reporting, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            var monitor = typeof(Node).Assembly.GetType("Otp.Net.Processes.ForeignLoadMonitor");
            var count = monitor?.GetProperty("Suspensions", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public)?.GetValue(null);
            Console.Error.WriteLine($"INFO handoff_suspensions={count}");
        };
    }

    private static void MapDashboard(Node node)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(node);
        builder.Services.AddOtpDashboard();
        var app = builder.Build();
        app.UseAuthorization();
        app.MapOtpDashboard("/otp");
        app.StartAsync().GetAwaiter().GetResult();
        lock (Hosts) Hosts.Add(app); // lives until the benchmark process ends
    }
}
