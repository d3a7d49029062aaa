using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Applications;

/// <summary>
/// The process that owns a running application: it calls the callback module's start (so the top supervisor links
/// to it), traps exits, and either stops the application on request (A4) or notices that the tree ended on its own
/// (A6).
/// </summary>
internal sealed class ApplicationMaster
{
    private readonly ApplicationController _controller;
    private readonly ApplicationSpec _spec;
    private readonly ApplicationType _type;
    private Application? _module;
    private object? _state;

    public ApplicationMaster(ApplicationController controller, ApplicationSpec spec, ApplicationType type)
    {
        _controller = controller;
        _spec = spec;
        _type = type;
    }

    public Pid Pid { get; private set; }

    /// <summary>The callback to run now: for a release's application, its module's current version (as OTP calls <c>Mod:F</c>).</summary>
    private Application Callback => _spec.ResolveOnEachCallback ? _spec.Mod!() : _module!;

    public sealed record StopCommand(TaskCompletionSource Done);

    public sealed record ConfigChangeCommand(Func<Application, Task> Change, TaskCompletionSource Done);

    /// <summary>Starts the master and the application; completes with ok or the start error (A3).</summary>
    public async Task<ApplicationResult> StartAsync(Node node)
    {
        var started = new TaskCompletionSource<ApplicationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Pid = node.Spawn(ctx => RunAsync(ctx, started), new SpawnOptions { TrapExit = true });
        // The master may die before it answers (killed during the start callback): the start fails with its reason
        // instead of waiting forever.
        using var watch = Node.WatchExit(Pid);
        var first = await Task.WhenAny(started.Task, watch.Task).ConfigureAwait(false);
        if (first == started.Task || started.Task.IsCompleted) return await started.Task.ConfigureAwait(false);
        return ApplicationResult.Error(TermTuple.Of(await watch.Task.ConfigureAwait(false), StartMfa));
    }

    private static Microsoft.Extensions.Logging.ILogger Logger(ProcessContext ctx) => ctx.Node.LoggerFactory.CreateLogger(ApplicationLog.Category);

    private async Task PrepStopAsync(ProcessContext ctx)
    {
        try
        {
            _state = await Callback.PrepStopAsync(_state, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ctx.Node.IsAlive(ctx.Self))
        {
            ApplicationLog.CallbackFailed(Logger(ctx), _spec.Name, "prep_stop", ex);
        }
    }

    private async Task StopCallbackAsync(ProcessContext ctx)
    {
        try
        {
            await Callback.StopAsync(_state, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ctx.Node.IsAlive(ctx.Self))
        {
            ApplicationLog.CallbackFailed(Logger(ctx), _spec.Name, "stop", ex);
        }
    }

    private object StartMfa => TermTuple.Of(Atom.Of(_spec.Name), Atom.Of("start"), new TermList(Atom.Of("normal"), _spec.Args));

    private async Task RunAsync(ProcessContext ctx, TaskCompletionSource<ApplicationResult> started)
    {
        // What the application starts from here belongs to it (the master is the group leader of OTP's application).
        ((LocalProcess)ctx).Application = _spec.Name;
        ApplicationStart? start;
        try
        {
            var module = _spec.Mod!();
            // A release's application resolves its module for each callback: keeping the first instance would keep
            // that module version loaded for the application's whole life.
            if (!_spec.ResolveOnEachCallback) _module = module;
            start = await module.StartAsync(StartType.Normal, _spec.Args, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ProcessExitedException && ((LocalProcess)ctx).IsAlive)
        {
            // A master killed during the start callback is not a crash of the callback: its token's cancellation unwinds
            // the abandoned code, and the starter learns the real exit reason from the exit.
            started.SetResult(ApplicationResult.Error(TermTuple.Of(ExitReason.FromException(ex), StartMfa)));
            return;
        }
        if (start is null || (start.Error is null && start.TopSupervisor.IsUndefined))
        {
            started.SetResult(ApplicationResult.Error(TermTuple.Of(Atom.Of("bad_return"), TermTuple.Of(StartMfa, start is null ? null : (object)Atom.Of("undefined")))));
            return;
        }
        if (start.Error is { } error)
        {
            started.SetResult(ApplicationResult.Error(TermTuple.Of(error, StartMfa)));
            return;
        }
        var top = start.TopSupervisor;
        _state = start.State;
        ctx.Link(top); // already linked when the top supervisor was started with a link from here; a no-op then
        started.SetResult(ApplicationResult.Ok);
        while (true)
        {
            var message = await ctx.ReceiveAsync().ConfigureAwait(false);
            switch (message)
            {
                case ExitMessage exit when exit.From == top:
                    // A4: the tree died on its own; prep_stop and stop still run, with the tree gone.
                    await PrepStopAsync(ctx).ConfigureAwait(false);
                    await StopCallbackAsync(ctx).ConfigureAwait(false);
                    _controller.OnTerminatedOnItsOwn(_spec.Name, _type, exit.Reason);
                    return;
                case StopCommand stop:
                    // A4: prep_stop while the tree lives, then shutdown (no timeout), then stop. A callback that
                    // throws is reported and the sequence goes on: the tree is still shut down in order.
                    await PrepStopAsync(ctx).ConfigureAwait(false);
                    ctx.Exit(top, ExitReason.Shutdown);
                    await ctx.ReceiveAsync(m => m is ExitMessage e && e.From == top).ConfigureAwait(false);
                    await StopCallbackAsync(ctx).ConfigureAwait(false);
                    stop.Done.SetResult();
                    return;
                case ConfigChangeCommand change:
                    try
                    {
                        await change.Change(Callback).ConfigureAwait(false);
                        change.Done.SetResult();
                    }
                    catch (Exception ex) when (ctx.Node.IsAlive(ctx.Self))
                    {
                        ApplicationLog.CallbackFailed(Logger(ctx), _spec.Name, "config_change", ex);
                        change.Done.SetException(ex);
                    }
                    break;
            }
        }
    }
}
