namespace Otp.Net.Processes;

/// <summary>
/// Delivers link exit signals iteratively: a death that kills linked processes, which kill theirs, runs as a
/// loop on the first dying thread instead of a recursion as deep as the chain of links.
/// </summary>
internal static class SignalDispatcher
{
    [ThreadStatic]
    private static Queue<(LocalProcess Target, Pid From, ExitReason Reason)>? t_pending;

    [ThreadStatic]
    private static bool t_draining;

    public static void PostLinkExit(LocalProcess target, Pid from, ExitReason reason)
    {
        if (t_draining)
        {
            (t_pending ??= new()).Enqueue((target, from, reason));
            return;
        }
        t_draining = true;
        try
        {
            target.ReceiveExitSignal(from, reason, viaLink: true);
            var pending = t_pending;
            while (pending is not null && pending.TryDequeue(out var next))
            {
                next.Target.ReceiveExitSignal(next.From, next.Reason, viaLink: true);
            }
        }
        finally
        {
            t_draining = false;
            t_pending?.Clear();
        }
    }
}
