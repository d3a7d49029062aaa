using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// A monitor held by code outside any process: its task completes with the exit reason. Disposing it removes the
/// monitor, so a watch used only for a while (e.g. during a start) leaves nothing on the watched process.
/// </summary>
internal sealed class ExitWatch : IDownWatcher, IDisposable
{
    private readonly TaskCompletionSource<ExitReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Ref _ref = new();
    private LocalProcess? _process;
    private CancellationTokenRegistration _registration;

    public Task<ExitReason> Task => _completion.Task;

    /// <summary>Starts watching; when the process has already exited the task completes once its exit is signalled.</summary>
    public static ExitWatch Start(Pid pid, CancellationToken cancellationToken)
    {
        var watch = new ExitWatch();
        if (pid.Process is not { } p)
        {
            watch._completion.TrySetResult(ExitReason.NoProc);
        }
        else if (!p.AddMonitor(watch._ref, watch))
        {
            if (p.ExitSignalled) watch._completion.TrySetResult(p.ExitReason!);
            else _ = watch.CompleteWhenSignalledAsync(p);
        }
        else
        {
            watch._process = p;
            if (cancellationToken.CanBeCanceled)
            {
                watch._registration = cancellationToken.Register(static s => ((ExitWatch)s!).Cancel(), watch);
                if (watch.Task.IsCompleted) watch._registration.Unregister();
            }
        }
        return watch;
    }

    private async Task CompleteWhenSignalledAsync(LocalProcess p)
    {
        // The exit path is running on another thread; it finishes in microseconds.
        for (var i = 0; !p.ExitSignalled; i++)
        {
            if (i < 100) await System.Threading.Tasks.Task.Yield();
            else await System.Threading.Tasks.Task.Delay(1).ConfigureAwait(false);
        }
        _completion.TrySetResult(p.ExitReason!);
    }

    public void OnDown(Ref monitorRef, Pid pid, ExitReason reason)
    {
        _completion.TrySetResult(reason);
        _registration.Unregister();
    }

    private void Cancel()
    {
        _process?.RemoveMonitor(_ref);
        _completion.TrySetCanceled();
    }

    /// <summary>Stops watching: the monitor is removed and an unfinished task is cancelled.</summary>
    public void Dispose()
    {
        _registration.Unregister();
        Cancel();
    }
}
