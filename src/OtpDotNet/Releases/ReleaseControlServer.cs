using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Otp.Net.Releases;

/// <summary>
/// The node's control socket (<see cref="NodeOptions.ControlSocket"/>): a Unix domain socket, mode 0600, that takes one
/// <see cref="ControlRequest"/> line per connection and answers with <see cref="ControlReply"/> lines — the journal as
/// the install runs, then one result or error. Every failure is an error line; nothing a client sends ends the node.
/// </summary>
internal sealed class ReleaseControlServer : IDisposable
{
    /// <summary>The longest request line accepted.</summary>
    public const int MaxRequestBytes = 64 * 1024;

    /// <summary>How long a client has to send its request line after connecting, by default.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _requestTimeout;

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Node _node;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    private ReleaseControlServer(Node node, string path, Socket listener, TimeSpan requestTimeout)
    {
        _node = node;
        _requestTimeout = requestTimeout;
        Path = path;
        _listener = listener;
        _ = AcceptAsync();
    }

    /// <summary>The socket's full path.</summary>
    public string Path { get; }

    private ILogger Logger => _node.LoggerFactory.CreateLogger(ReleaseLog.Category);

    /// <summary>
    /// Creates the socket at <paramref name="path"/> and starts answering. A socket file left by a node that ended
    /// without removing it is replaced; one a live node answers on is a <see cref="ReleaseException"/> of kind
    /// <see cref="ReleaseErrorKind.ControlSocketUnavailable"/>, as is a path that cannot be bound.
    /// </summary>
    public static ReleaseControlServer Open(Node node, string path, TimeSpan? requestTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var directory = System.IO.Path.GetDirectoryName(full)!;
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
                else Directory.CreateDirectory(directory, OwnerOnlyDirectory);
            }
            if (File.Exists(full) || new FileInfo(full).LinkTarget is not null)
            {
                if (MustNotReplace(full)) throw new ReleaseException(ReleaseErrorKind.ControlSocketUnavailable, $"{full} exists and is not a socket: it is left as it is", full);
                if (Answers(full)) throw new ReleaseException(ReleaseErrorKind.ControlSocketUnavailable, $"the control socket {full} is in use by a running node", full);
                File.Delete(full); // a socket left by a node that ended without removing it
            }
            socket.Bind(new UnixDomainSocketEndPoint(full));
            // Owner only before anyone can connect: connections are refused until Listen.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(full, OwnerOnlySocket);
            socket.Listen(16);
            return new ReleaseControlServer(node, full, socket, requestTimeout ?? DefaultRequestTimeout);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            socket.Dispose();
            throw new ReleaseException(ReleaseErrorKind.ControlSocketUnavailable, $"cannot open the control socket {full}: {e.Message}", full, inner: e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> is something a control socket never replaces: a symbolic link, a folder, or a
    /// file with content. (A socket has no content; the path is never opened, which would block on a FIFO.)
    /// </summary>
    private static bool MustNotReplace(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null || (info.Attributes & FileAttributes.Directory) != 0 || info.Length > 0;
    }

    private static bool Answers(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        await using var buffered = new BufferedStream(stream);
        var replies = Channel.CreateUnbounded<ControlReply>(new UnboundedChannelOptions { SingleReader = true });
        var writing = WriteAsync(stream, replies.Reader);
        try
        {
            ControlReply result;
            try
            {
                byte[]? line;
                using (var reading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    reading.CancelAfter(_requestTimeout);
                    try
                    {
                        line = await ControlJson.ReadLineAsync(buffered, MaxRequestBytes, reading.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                    {
                        throw new ReleaseException(ReleaseErrorKind.BadRequest, $"no request line within {_requestTimeout.TotalSeconds:0.#} s");
                    }
                }
                if (line is null) return;
                var request = Parse(line);
                ReleaseLog.ControlRequest(Logger, request.Command, request.Version ?? request.Package ?? "");
                result = await RunAsync(request, reply => replies.Writer.TryWrite(reply)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (ReleaseInstallException e)
            {
                result = new ControlReply(ControlReplyKind.Error, e.Message) { Error = ReleaseErrorKind.InstallFailed };
            }
            catch (ReleaseException e)
            {
                result = new ControlReply(ControlReplyKind.Error, e.Message) { Error = e.Kind };
            }
            catch (ArgumentException e)
            {
                result = new ControlReply(ControlReplyKind.Error, e.Message) { Error = ReleaseErrorKind.BadRequest };
            }
            catch (Exception e)
            {
                result = new ControlReply(ControlReplyKind.Error, $"{e.GetType().Name}: {e.Message}");
            }
            replies.Writer.TryWrite(result);
        }
        finally
        {
            replies.Writer.TryComplete();
            await writing.ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(Stream stream, ChannelReader<ControlReply> replies)
    {
        await foreach (var reply in replies.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await stream.WriteAsync(ControlJson.Line(reply)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away; the command itself runs to its end (an install cannot stop half-way).
            }
        }
    }

    private static ControlRequest Parse(byte[] line)
    {
        try
        {
            return JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options)
                ?? throw new ReleaseException(ReleaseErrorKind.BadRequest, "the control request is null");
        }
        catch (JsonException e)
        {
            throw new ReleaseException(ReleaseErrorKind.BadRequest, $"the control request is not valid: {e.Message}", inner: e);
        }
    }

    private async Task<ControlReply> RunAsync(ControlRequest request, Action<ControlReply> journal)
    {
        var releases = _node.Releases;
        switch (request.Command)
        {
            case ControlCommand.Which:
                return Done(Describe(releases.WhichReleases()));
            case ControlCommand.Unpack:
            {
                var package = request.Package;
                if (string.IsNullOrEmpty(package) || !System.IO.Path.IsPathFullyQualified(package))
                    throw new ReleaseException(ReleaseErrorKind.BadRequest, "unpack needs the package's full path");
                var manifest = await releases.UnpackAsync(package, _stop.Token).ConfigureAwait(false);
                return Done($"unpacked {manifest.Name} {manifest.Version}");
            }
            case ControlCommand.Rehearse:
            {
                var report = await releases.CheckInstallAsync(Version(request), request.Options, _stop.Token).ConfigureAwait(false);
                var text = Describe(report);
                return report.IsOk
                    ? new ControlReply(ControlReplyKind.Result, text) { Warnings = report.Warnings }
                    : new ControlReply(ControlReplyKind.Error, text) { Error = ReleaseErrorKind.RehearsalFailed, Problems = report.Problems, Warnings = report.Warnings };
            }
            case ControlCommand.Install or ControlCommand.Downgrade:
            {
                var direction = request.Command == ControlCommand.Install ? ChangeDirection.Up : ChangeDirection.Down;
                var result = await releases.InstallObservedAsync(
                    Version(request), request.Options, direction,
                    entry => journal(new ControlReply(ControlReplyKind.Journal, entry.ToString()) { Outcome = entry.Outcome }),
                    _stop.Token).ConfigureAwait(false);
                var elapsed = result.Journal.Aggregate(TimeSpan.Zero, (sum, e) => sum + e.Elapsed);
                return Done(string.Create(CultureInfo.InvariantCulture,
                    $"installed {result.ToVersion} ({(result.Direction == ChangeDirection.Up ? "upgrade" : "downgrade")} from {result.FromVersion}): {result.Journal.Count} steps, {elapsed.TotalMilliseconds:0} ms"));
            }
            case ControlCommand.Permanent:
                await releases.MakePermanentAsync(Version(request), _stop.Token).ConfigureAwait(false);
                return Done($"release {request.Version} is permanent");
            case ControlCommand.Remove:
                await releases.RemoveAsync(Version(request), _stop.Token).ConfigureAwait(false);
                return Done($"release {request.Version} removed");
            default:
                throw new ReleaseException(ReleaseErrorKind.BadRequest, $"unknown control command {request.Command}");
        }

        ControlReply Done(string text) => new(ControlReplyKind.Result, text) { Releases = releases.WhichReleases() };
    }

    private static string Version(ControlRequest request) =>
        string.IsNullOrEmpty(request.Version)
            ? throw new ReleaseException(ReleaseErrorKind.BadRequest, $"{request.Command.ToString().ToLowerInvariant()} needs a release version")
            : request.Version;

    /// <summary>The releases as <c>which</c> prints them: name, version, status.</summary>
    internal static string Describe(IReadOnlyList<ReleaseInfo> releases)
    {
        if (releases.Count == 0) return "no releases";
        var text = new StringBuilder();
        foreach (var r in releases) text.Append(CultureInfo.InvariantCulture, $"{r.Name,-16} {r.Version,-12} {r.Status.ToString().ToLowerInvariant()}\n");
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>A rehearsal's report for a person: steps, processes, supervisors, problems and warnings.</summary>
    internal static string Describe(RehearsalReport report)
    {
        var text = new StringBuilder();
        var failed = report.Processes.Count(p => !p.Ok);
        text.Append(CultureInfo.InvariantCulture, $"rehearsal of {report.ToVersion} ({(report.Direction == ChangeDirection.Up ? "upgrade" : "downgrade")} from {report.FromVersion}): {report.Steps.Count} steps, ");
        text.Append(CultureInfo.InvariantCulture, $"{report.Processes.Count} processes rehearsed, {failed} failed");
        foreach (var p in report.Processes.Where(p => !p.Ok)) text.Append(CultureInfo.InvariantCulture, $"\n  {p.Module} {p.Pid}: {p.Error}");
        foreach (var s in report.Supervisors)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  supervisor {s.Module} {s.Pid}: +[{string.Join(", ", s.Added)}] -[{string.Join(", ", s.Removed)}] kept [{string.Join(", ", s.Kept)}]{(s.FlagsChanged ? ", flags changed" : "")}");
            if (s.Error is not null) text.Append(CultureInfo.InvariantCulture, $" ({s.Error})");
        }
        foreach (var p in report.Problems) text.Append(CultureInfo.InvariantCulture, $"\n  problem: {p}");
        foreach (var w in report.Warnings) text.Append(CultureInfo.InvariantCulture, $"\n  warning: {w}");
        return text.ToString();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Replaced at the next start.
        }
        // _stop is not disposed: handlers still running read its token (it holds no timer to release).
    }
}
