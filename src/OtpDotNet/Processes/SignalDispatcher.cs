using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// Delivers the signals of a death iteratively: a death that kills linked processes, which kill theirs, runs as a
/// loop on the first dying thread instead of a recursion as deep as the chain of links. A process that dies inside
/// such a cascade has its link exits and its monitors' <c>DOWN</c>s queued in that order, so a monitor (and
/// <see cref="Node.WaitForExitAsync"/>) fires only after the process's links have been signalled.
/// </summary>
internal static class SignalDispatcher
{
    [ThreadStatic]
    private static Queue<Signal>? t_pending;

    [ThreadStatic]
    private static bool t_draining;

    /// <summary>Sends a dying process's exit signal to a linked process.</summary>
    public static void PostLinkExit(LocalProcess target, Pid from, ExitReason reason) =>
        Post(new Signal(target, null, null, from, reason));

    /// <summary>Tells a monitor's holder that the monitored process ended.</summary>
    public static void PostDown(IDownWatcher watcher, Ref monitorRef, Pid from, ExitReason reason) =>
        Post(new Signal(null, watcher, monitorRef, from, reason));

    private static void Post(Signal signal)
    {
        if (t_draining)
        {
            (t_pending ??= new()).Enqueue(signal);
            return;
        }
        t_draining = true;
        try
        {
            signal.Deliver();
            var pending = t_pending;
            while (pending is not null && pending.TryDequeue(out var next)) next.Deliver();
        }
        finally
        {
            t_draining = false;
            t_pending?.Clear();
        }
    }

    private readonly record struct Signal(LocalProcess? Target, IDownWatcher? Watcher, Ref? MonitorRef, Pid From, ExitReason Reason)
    {
        public void Deliver()
        {
            if (Target is not null) Target.ReceiveExitSignal(From, Reason, viaLink: true);
            else Watcher!.OnDown(MonitorRef!, From, Reason);
        }
    }
}
