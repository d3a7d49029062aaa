using Microsoft.Extensions.Logging;
using Octochat;
using Otp.Net;

// Octochat, the seed article's TCP echo server, as releases: 0.2.1 echoes each line from a bare loop under a task
// supervisor; 0.3.0 replaces that supervisor with one of echo GenServers (same answers); 0.3.2 answers each line
// reversed, 0.3.3 also ends it with a new line. Start it as `Octochat [PORT] [VERSION]` (VERSION 0.3.2 by default, or
// 0.2.1, 0.3.0, 0.3.3), connect with `nc 127.0.0.1 9999`, then type at this console:
//   install 0.3.0    from 0.2.1: the tree changes; the listener stays open, 0.2.1's connections are closed
//   install 0.3.3    upgrade the running node; connected clients keep their connection and see the new behaviour
//   install 0.3.2    downgrade (or upgrade from 0.3.0)
//   permanent        make the running release the one a restart boots
//   which            the releases and their statuses
//   quit
//
// Operated as a node instead, upgraded with the otpnet tool through its control socket (see the README):
//   Octochat serve --releases DIR --socket PATH [--boot PACKAGE]
if (args is ["serve", ..]) return await Serve.RunAsync(args);

var port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9999;
var boot = args.Length > 1 ? args[1] : "0.3.2";
if (!OctochatReleases.Versions.Contains(boot))
{
    Console.Error.WriteLine($"unknown release {boot}: one of {string.Join(", ", OctochatReleases.Versions)}");
    return 2;
}
var work = Directory.CreateTempSubdirectory("octochat-").FullName;
var packages = await OctochatReleases.PackAsync(AppContext.BaseDirectory, Path.Combine(work, "packages"), port);

using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
await using var node = new Node(new NodeOptions { LoggerFactory = logging, ReleasesDirectory = Path.Combine(work, "releases") });
foreach (var package in packages.Values) await node.Releases.UnpackAsync(package);
await node.Releases.BootAsync(boot);
Console.WriteLine($"octochat {node.Releases.CurrentVersion} listening on 127.0.0.1:{port}");

while (Console.ReadLine() is { } command)
{
    var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    try
    {
        switch (words)
        {
            case ["install", var version]:
                var result = await node.Releases.InstallAsync(version);
                foreach (var entry in result.Journal) Console.WriteLine(entry);
                Console.WriteLine($"octochat {node.Releases.CurrentVersion} is running");
                break;
            case ["permanent"]:
                await node.Releases.MakePermanentAsync(node.Releases.CurrentVersion!);
                Console.WriteLine($"octochat {node.Releases.CurrentVersion} is permanent");
                break;
            case ["which"]:
                foreach (var release in node.Releases.WhichReleases()) Console.WriteLine($"{release.Name} {release.Version} {release.Status}");
                break;
            case ["quit"]:
                return 0;
            case []:
                break;
            default:
                Console.WriteLine("commands: install VERSION | permanent | which | quit");
                break;
        }
    }
    catch (Exception ex) when (ex is Otp.Net.Releases.ReleaseException or Otp.Net.Releases.ReleaseInstallException)
    {
        Console.WriteLine(ex.Message);
    }
}
return 0;
