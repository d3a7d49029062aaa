using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Otp.Net;
using Otp.Net.Releases;

namespace Octochat;

/// <summary>
/// <c>Octochat serve</c>: octochat as an operated node. It boots the permanent release of its releases directory (the
/// first time, the package given with <c>--boot</c>), opens a control socket for <c>otpnet release ...</c>, and runs
/// until Ctrl+C or SIGTERM.
/// </summary>
internal static class Serve
{
    public const string Usage = "usage: Octochat serve --releases DIR --socket PATH [--boot PACKAGE]";

    public static async Task<int> RunAsync(string[] args)
    {
        string? releases = null, socket = null, boot = null;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--releases": releases = args[i + 1]; break;
                case "--socket": socket = args[i + 1]; break;
                case "--boot": boot = args[i + 1]; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (releases is null || socket is null || args.Length % 2 == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        await using var node = new Node(new NodeOptions { LoggerFactory = logging, ReleasesDirectory = Path.GetFullPath(releases), ControlSocket = socket });
        try
        {
            if (!node.Releases.WhichReleases().Any(r => r.Status == ReleaseStatus.Permanent))
            {
                if (boot is null)
                {
                    Console.Error.WriteLine("the releases directory has no permanent release: give --boot PACKAGE the first time");
                    return 1;
                }
                var manifest = await node.Releases.UnpackAsync(Path.GetFullPath(boot));
                await node.Releases.BootAsync(manifest.Version);
            }
            else
            {
                await node.Releases.BootAsync();
            }
        }
        catch (ReleaseException e)
        {
            Console.Error.WriteLine($"cannot boot: {e.Message}");
            return 1;
        }
        var port = node.Applications.TryGetEnv("octochat", "port", out var p) ? p : 9999;
        Console.WriteLine($"octochat {node.Releases.CurrentVersion} listening on 127.0.0.1:{port}, control socket {Path.GetFullPath(socket)}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        Console.WriteLine("octochat stopping");
        return 0;
    }
}
