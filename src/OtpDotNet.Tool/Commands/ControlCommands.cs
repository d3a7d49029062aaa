using System.CommandLine;
using Otp.Net.Releases;

namespace Otp.Net.Tool.Commands;

/// <summary>
/// The commands that talk to a running node through its control socket (<c>NodeOptions.ControlSocket</c>):
/// <c>which</c>, <c>unpack</c>, <c>rehearse</c>, <c>install</c>, <c>downgrade</c>, <c>permanent</c>, <c>remove</c>.
/// Exit codes: 0 done, 1 refused, failed (nothing changed, or everything rolled back) or unreadable input, 2 no node
/// answers on the socket (or none is named).
/// </summary>
internal static class ControlCommands
{
    /// <summary>The environment variable that names the control socket when <c>--socket</c> is not given.</summary>
    public const string SocketVariable = "OTPNET_CONTROL_SOCKET";

    public static IEnumerable<Command> Create()
    {
        yield return Which();
        yield return Unpack();
        yield return Rehearse();
        yield return Install(ControlCommand.Install, "install", "Upgrade the running node to a release (a version it has unpacked, or a package file to unpack first). Rehearses first and refuses on any problem unless --force.");
        yield return Install(ControlCommand.Downgrade, "downgrade", "Downgrade the running node to an older release it has, with the running release's down instructions. Rehearses first unless --force.");
        yield return Simple(ControlCommand.Permanent, "permanent", "Make the running release permanent (the one the node boots) and purge the old code its install left.");
        yield return Simple(ControlCommand.Remove, "remove", "Remove a release that is neither permanent nor running.");
    }

    private static Option<string?> SocketOption() => new("--socket", "-s")
    {
        Description = $"The node's control socket (default: ${SocketVariable}).",
    };

    private static Command Which()
    {
        var socket = SocketOption();
        var command = new Command("which", "List the node's releases and their statuses.") { socket };
        command.SetAction((parse, ct) => RunAsync(parse, socket, new ControlRequest(ControlCommand.Which), ct));
        return command;
    }

    private static Command Unpack()
    {
        var socket = SocketOption();
        var package = new Argument<FileInfo>("package") { Description = "The release package (.zip)." };
        var command = new Command("unpack", "Verify a release package and unpack it on the node.") { package, socket };
        command.SetAction((parse, ct) => RunAsync(parse, socket, new ControlRequest(ControlCommand.Unpack) { Package = parse.GetValue(package)!.FullName }, ct));
        return command;
    }

    private static Command Simple(ControlCommand what, string name, string description)
    {
        var socket = SocketOption();
        var version = new Argument<string>("version") { Description = "The release version." };
        var command = new Command(name, description) { version, socket };
        command.SetAction((parse, ct) => RunAsync(parse, socket, new ControlRequest(what) { Version = parse.GetValue(version) }, ct));
        return command;
    }

    private sealed record InstallArguments(Argument<string> Release, Option<string?> Socket, Option<InstallMode> Mode, Option<int> Batch, Option<int> SuspendTimeout, Option<int> CodeChangeTimeout, Option<SupervisorChildrenMode> Children);

    private static InstallArguments Arguments(Command command)
    {
        var args = new InstallArguments(
            new Argument<string>("release") { Description = "A release version the node has, or a release package file to unpack first." },
            SocketOption(),
            new Option<InstallMode>("--mode") { Description = "allAtOnce (default) or rolling (batches of --batch processes).", DefaultValueFactory = _ => InstallMode.AllAtOnce },
            new Option<int>("--batch") { Description = "Processes per batch in rolling mode.", DefaultValueFactory = _ => InstallOptions.Default.BatchSize },
            new Option<int>("--suspend-timeout") { Description = "Milliseconds a process may take to suspend.", DefaultValueFactory = _ => (int)InstallOptions.Default.SuspendTimeout.TotalMilliseconds },
            new Option<int>("--code-change-timeout") { Description = "Milliseconds a process's CodeChange may take.", DefaultValueFactory = _ => (int)InstallOptions.Default.CodeChangeTimeout.TotalMilliseconds },
            new Option<SupervisorChildrenMode>("--children") { Description = "reconcile (default: start new child ids, stop removed ones) or otp (R11).", DefaultValueFactory = _ => SupervisorChildrenMode.Reconcile });
        command.Arguments.Add(args.Release);
        foreach (var option in new Option[] { args.Socket, args.Mode, args.Batch, args.SuspendTimeout, args.CodeChangeTimeout, args.Children }) command.Options.Add(option);
        return args;
    }

    private static InstallOptions Options(ParseResult parse, InstallArguments args) => new()
    {
        Mode = parse.GetValue(args.Mode),
        BatchSize = parse.GetValue(args.Batch),
        SuspendTimeout = TimeSpan.FromMilliseconds(parse.GetValue(args.SuspendTimeout)),
        CodeChangeTimeout = TimeSpan.FromMilliseconds(parse.GetValue(args.CodeChangeTimeout)),
        SupervisorChildren = parse.GetValue(args.Children),
    };

    private static Command Rehearse()
    {
        var command = new Command("rehearse", "Rehearse an install or downgrade on the live node: stage the code, run every CodeChange on a copy of each process's state, dry-run the supervisors. Nothing changes.");
        var args = Arguments(command);
        command.SetAction(async (parse, ct) =>
        {
            var (version, failed) = await ResolveAsync(parse, args, ct).ConfigureAwait(false);
            if (version is null) return failed;
            return await RunAsync(parse, args.Socket, new ControlRequest(ControlCommand.Rehearse) { Version = version, Options = Options(parse, args) }, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Install(ControlCommand what, string name, string description)
    {
        var command = new Command(name, description);
        var args = Arguments(command);
        var force = new Option<bool>("--force") { Description = "Install without rehearsing first (a failure still rolls back)." };
        command.Options.Add(force);
        command.SetAction(async (parse, ct) =>
        {
            var (version, failed) = await ResolveAsync(parse, args, ct).ConfigureAwait(false);
            if (version is null) return failed;
            var options = Options(parse, args);
            if (!parse.GetValue(force))
            {
                var rehearsal = await RunAsync(parse, args.Socket, new ControlRequest(ControlCommand.Rehearse) { Version = version, Options = options }, ct).ConfigureAwait(false);
                if (rehearsal != 0)
                {
                    if (rehearsal == 1) Cli.Error(parse).WriteLine($"{name} {version} refused: the rehearsal failed (nothing changed; --force installs anyway and rolls back on failure)");
                    return rehearsal;
                }
            }
            return await RunAsync(parse, args.Socket, new ControlRequest(what) { Version = version, Options = options }, ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// The version <paramref name="args"/> name: the argument itself, or, when it is a package file (a path ending in
    /// <c>.zip</c> or holding a folder separator), the version in its manifest after unpacking it on the node (a release
    /// the node has already is not unpacked again). Null with the exit code when the package could not be read (1),
    /// unpacked (1), or no node answers (2); the reason is printed.
    /// </summary>
    private static async Task<(string? Version, int Failed)> ResolveAsync(ParseResult parse, InstallArguments args, CancellationToken ct)
    {
        var release = parse.GetValue(args.Release)!;
        var isPackage = release.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || release.Contains('/', StringComparison.Ordinal) || release.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!isPackage) return (release, 0);
        var path = Path.GetFullPath(release);
        ReleaseManifest manifest;
        try
        {
            manifest = await ReleasePackage.VerifyAsync(path, trust: null, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ReleaseException or IOException or UnauthorizedAccessException)
        {
            Cli.Error(parse).WriteLine($"error: {e.Message}");
            return (null, 1);
        }
        var client = Client(parse, args.Socket);
        if (client is null) return (null, 2);
        ControlReply which;
        try
        {
            which = await client.RunAsync(new ControlRequest(ControlCommand.Which), cancellationToken: ct).ConfigureAwait(false);
        }
        catch (ReleaseException e)
        {
            Cli.Error(parse).WriteLine($"error: {e.Message}");
            return (null, ExitCode(e));
        }
        if (which.Releases?.Any(r => r.Version == manifest.Version) == true) return (manifest.Version, 0);
        var unpacked = await SendAsync(parse, client, new ControlRequest(ControlCommand.Unpack) { Package = path }, ct).ConfigureAwait(false);
        return unpacked.Kind == ControlReplyKind.Result ? (manifest.Version, 0) : (null, ExitCode(unpacked));
    }

    /// <summary>2 when no node answers, 1 for anything else that went wrong.</summary>
    private static int ExitCode(ReleaseException e) => e.Kind == ReleaseErrorKind.ControlSocketUnavailable ? 2 : 1;

    /// <summary>0 for a result, 2 when no node answered, 1 for any other error.</summary>
    private static int ExitCode(ControlReply reply) => reply.Kind == ControlReplyKind.Result ? 0 : reply.Error == ReleaseErrorKind.ControlSocketUnavailable ? 2 : 1;

    private static ReleaseControlClient? Client(ParseResult parse, Option<string?> socket)
    {
        var path = parse.GetValue(socket) ?? Environment.GetEnvironmentVariable(SocketVariable);
        if (!string.IsNullOrEmpty(path)) return new ReleaseControlClient(path);
        Cli.Error(parse).WriteLine($"error: no control socket: give --socket or set {SocketVariable}");
        return null;
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string?> socket, ControlRequest request, CancellationToken ct)
    {
        var client = Client(parse, socket);
        if (client is null) return 2;
        return ExitCode(await SendAsync(parse, client, request, ct).ConfigureAwait(false));
    }

    /// <summary>Sends <paramref name="request"/>, printing the journal as it comes and then the result or error; a failure to reach the node is an error reply of its kind.</summary>
    private static async Task<ControlReply> SendAsync(ParseResult parse, ReleaseControlClient client, ControlRequest request, CancellationToken ct)
    {
        var output = Cli.Out(parse);
        try
        {
            var reply = await client.RunAsync(request, line => output.WriteLine(line.Text), ct).ConfigureAwait(false);
            if (reply.Kind == ControlReplyKind.Result)
            {
                output.WriteLine(reply.Text);
            }
            else
            {
                Cli.Error(parse).WriteLine($"error ({Kebab(reply.Error)}): {reply.Text}");
            }
            foreach (var warning in reply.Warnings.Where(w => !reply.Text.Contains(w, StringComparison.Ordinal))) output.WriteLine($"warning: {warning}");
            return reply;
        }
        catch (ReleaseException e)
        {
            Cli.Error(parse).WriteLine($"error: {e.Message}");
            return new ControlReply(ControlReplyKind.Error, e.Message) { Error = e.Kind };
        }
    }

    private static string Kebab(ReleaseErrorKind? kind) => kind is null ? "error" : string.Concat(kind.Value.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
