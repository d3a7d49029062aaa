using System.Threading.Channels;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.TestKit;

/// <summary>
/// A process owned by a test, like Akka.TestKit's <c>TestProbe</c> or the test process of an ExUnit test: a real
/// <see cref="Pid"/> that others send to, link to, monitor and call, and whose mailbox the test inspects with
/// expectations (<see cref="ExpectMsgAsync{T}(Func{T, bool}?, TimeSpan?, string?)"/>,
/// <see cref="AssertReceiveAsync{T}"/>, <see cref="ExpectNoMsgAsync"/>, ...). Each expectation waits at most its
/// timeout (the probe's <see cref="DefaultTimeout"/> when none is given), dilated by <see cref="TestKitSettings.TimeFactor"/>,
/// and throws <see cref="TestKitAssertionException"/> saying what was expected and what arrived instead.
/// </summary>
/// <remarks>
/// The probe's process runs the operations the test asks for, one at a time, in the order asked: a monitor set with
/// <see cref="WatchAsync"/> exists before the next operation starts, and a call made with <see cref="CallAsync"/> comes
/// from the probe (its <see cref="From.Caller"/> is the probe). A probe traps exits by default, so a linked process
/// that dies shows up as an <see cref="ExitMessage"/> instead of killing the probe. Disposing the probe kills its
/// process. Use one probe from one test at a time: operations started concurrently run one after the other.
/// </remarks>
public sealed partial class TestProbe : IAsyncDisposable, IDisposable
{
    private readonly Channel<Func<ProcessContext, Task>> _commands =
        Channel.CreateUnbounded<Func<ProcessContext, Task>>(new UnboundedChannelOptions { SingleReader = true });

    // Messages taken from the mailbox and put back (ReceiveWhileAsync's first non-matching message): older than anything
    // in the mailbox. Touched only by the probe's own process.
    private readonly List<object> _stash = [];
    private readonly Task<ExitReason> _exit;
    private readonly string? _name;
    private TimeSpan _defaultTimeout;

    /// <summary>
    /// Spawns a probe on <paramref name="node"/> (not linked to anything, even when created inside a process).
    /// </summary>
    /// <param name="node">The node the probe runs on.</param>
    /// <param name="name">A name to register the probe under, or null.</param>
    /// <param name="trapExit">Whether the probe traps exits (default true: exit signals arrive as <see cref="ExitMessage"/>s).</param>
    /// <param name="settings">Timeouts; <see cref="TestKitSettings.Default"/> when null.</param>
    /// <exception cref="BadArgumentException"><paramref name="name"/> is already registered.</exception>
    public TestProbe(Node node, string? name = null, bool trapExit = true, TestKitSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        Node = node;
        Settings = settings ?? TestKitSettings.Default;
        _defaultTimeout = Settings.DefaultTimeout;
        _name = name;
        Pid = node.Spawn(RunAsync, new SpawnOptions { Name = name, TrapExit = trapExit });
        _exit = node.WaitForExitAsync(Pid);
    }

    /// <summary>The probe's pid: send to it, link to it, monitor it.</summary>
    public Pid Pid { get; }

    /// <summary>The node the probe runs on.</summary>
    public Node Node { get; }

    /// <summary>The kit's settings (time factor, clock).</summary>
    public TestKitSettings Settings { get; }

    /// <summary>
    /// How long an expectation waits when the call gives no timeout, before dilation (default
    /// <see cref="TestKitSettings.DefaultTimeout"/>).
    /// </summary>
    public TimeSpan DefaultTimeout
    {
        get => _defaultTimeout;
        set
        {
            if (value != Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _defaultTimeout = value;
        }
    }

    /// <summary>Completes with the probe's exit reason when its process ends.</summary>
    public Task<ExitReason> Exited => _exit;

    /// <summary>The probe's pid.</summary>
    public static implicit operator Pid(TestProbe probe) => probe?.Pid ?? default;

    /// <summary>Prints the probe as <c>probe &lt;0.12.0&gt;</c> (with its name when it has one).</summary>
    public override string ToString() => _name is null ? $"probe {Pid}" : $"probe {_name} {Pid}";

    // ---------------------------------------------------------------- acting as the probe

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="to"/> (as <see cref="Node.Send(Pid, object)"/>: messages carry
    /// no sender; put the probe's pid in the message for a reply).
    /// </summary>
    public void Send(Pid to, object message) => Node.Send(to, message);

    /// <summary>
    /// Runs <paramref name="body"/> inside the probe's process and returns its result: the escape hatch for anything
    /// the probe should do as itself (receive, spawn_link, register, ...). An exception thrown by
    /// <paramref name="body"/> is rethrown here and leaves the probe running, except <see cref="OtpExitException"/>
    /// (<c>exit/1</c>), which ends the probe as it would any process.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The probe exited before <paramref name="body"/> completed.</exception>
    public Task<T> RunAsync<T>(Func<ProcessContext, Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = _commands.Writer.TryWrite(async ctx =>
        {
            try
            {
                done.TrySetResult(await body(ctx).ConfigureAwait(false));
            }
            catch (OtpExitException ex)
            {
                done.TrySetException(ex);
                throw;
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        ObjectDisposedException.ThrowIf(!queued, this);
        return WhileAliveAsync(done.Task);
    }

    /// <summary>As <see cref="RunAsync{T}(Func{ProcessContext, Task{T}})"/>, for a body without a result.</summary>
    public Task RunAsync(Func<ProcessContext, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunAsync<bool>(async ctx =>
        {
            await body(ctx).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary><c>monitor(process, Pid)</c> from the probe (Akka's <c>Watch</c>): a <see cref="DownMessage"/> arrives when <paramref name="pid"/> ends.</summary>
    public Task<Ref> WatchAsync(Pid pid) => RunAsync(ctx => Task.FromResult(ctx.Monitor(pid)));

    /// <summary><c>demonitor(Ref, [flush])</c> from the probe (Akka's <c>Unwatch</c>).</summary>
    public Task UnwatchAsync(Ref monitor) => RunAsync(ctx =>
    {
        ctx.Demonitor(monitor, flush: true);
        return Task.CompletedTask;
    });

    /// <summary><c>link/1</c> from the probe. A trapping probe then receives an <see cref="ExitMessage"/> when <paramref name="pid"/> dies.</summary>
    public Task LinkAsync(Pid pid) => RunAsync(ctx =>
    {
        ctx.Link(pid);
        return Task.CompletedTask;
    });

    /// <summary><c>unlink/1</c> from the probe.</summary>
    public Task UnlinkAsync(Pid pid) => RunAsync(ctx =>
    {
        ctx.Unlink(pid);
        return Task.CompletedTask;
    });

    /// <summary><c>exit(Pid, Reason)</c> sent by the probe (the target, if trapping, sees the probe as the sender).</summary>
    public Task ExitAsync(Pid pid, ExitReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return RunAsync(ctx =>
        {
            ctx.Exit(pid, reason);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// <c>gen_server:call</c> made by the probe: the server's <see cref="From.Caller"/> is the probe. Failures are the
    /// call's own (<see cref="CallException"/>).
    /// </summary>
    public Task<object?> CallAsync(ServerRef server, object request, TimeSpan? timeout = null) =>
        RunAsync(_ => GenServer.CallAsync(server, request, timeout));

    // ---------------------------------------------------------------- lifetime

    /// <summary>Kills the probe's process (reason <c>killed</c> for its links and monitors).</summary>
    public void Dispose()
    {
        CloseCommands();
        Node.Exit(Pid, ExitReason.Kill);
    }

    /// <summary>The first half of <see cref="Dispose"/>: no more commands; the kill follows.</summary>
    internal void CloseCommands() => _commands.Writer.TryComplete();

    /// <summary>Kills the probe's process and waits until it has exited.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _exit.WaitAsync(Settings.Dilated(Settings.DefaultTimeout), Settings.Clock).ConfigureAwait(false);
    }

    private async Task RunAsync(ProcessContext ctx)
    {
        while (true)
        {
            Func<ProcessContext, Task> command;
            try
            {
                command = await _commands.Reader.ReadAsync(ctx.CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // killed while idle
            }
            catch (ChannelClosedException)
            {
                // Disposed: the kill that Dispose sends is on its way; the probe waits for it so that its links and
                // monitors always see 'killed', never a 'normal' exit that won the race.
                await WaitForKillAsync(ctx).ConfigureAwait(false);
                return;
            }
            await command(ctx).ConfigureAwait(false);
        }
    }

    private static async Task WaitForKillAsync(ProcessContext ctx)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<T> WhileAliveAsync<T>(Task<T> operation)
    {
        var first = await Task.WhenAny(operation, _exit).ConfigureAwait(false);
        // An operation cut short by the probe's death (its receive throws ProcessExitedException) reports the death.
        var cutShort = operation.IsFaulted && operation.Exception.InnerException is ProcessExitedException;
        if ((first == operation || operation.IsCompleted) && !cutShort) return await operation.ConfigureAwait(false);
        throw new TestKitAssertionException($"{this} exited with reason {await _exit.ConfigureAwait(false)} before the operation completed");
    }
}
