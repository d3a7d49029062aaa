using System.Collections.Concurrent;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Timers;

/// <summary>
/// The node's timers (<c>erlang:send_after</c>, <c>start_timer</c>, <c>cancel_timer</c>, <c>read_timer</c>).
/// Each timer is an entry in the runtime's timer queue (<see cref="TimeProvider.CreateTimer"/>): no thread per timer.
/// </summary>
internal sealed class TimerService
{
    private readonly Node _node;
    private readonly ConcurrentDictionary<Ref, TimerEntry> _active = new();

    public TimerService(Node node) => _node = node;

    private TimeProvider Clock => _node.TimeProvider;

    public Ref Start(TimeSpan delay, Pid? pid, string? name, object message, bool wrap)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (delay < TimeSpan.Zero) throw new BadArgumentException("timer time must not be negative"); // T5
        var r = new Ref();
        var payload = wrap ? new TimeoutMessage(r, message) : message;
        var target = pid?.Process;
        var entry = new TimerEntry(this, r, target, name, payload, Clock.GetTimestamp() + (long)(delay.TotalSeconds * Clock.TimestampFrequency));
        if (pid is not null && (target is null || !target.AddTimer(entry)))
        {
            return r; // aimed at a dead pid: it never fires (T4)
        }
        _active[r] = entry;
        entry.Timer = Clock.CreateTimer(static s => ((TimerService)((object[])s!)[0]).Fire((TimerEntry)((object[])s!)[1]), new object[] { this, entry }, delay, Timeout.InfiniteTimeSpan);
        return r;
    }

    private void Fire(TimerEntry entry)
    {
        if (!_active.TryRemove(entry.Ref, out _)) return;
        entry.Timer?.Dispose();
        if (entry.Target is { } target)
        {
            target.RemoveTimer(entry);
            target.Deliver(entry.Message);
        }
        else if (entry.TargetName is { } name && _node.WhereIs(name) is { } pid)
        {
            _node.Send(pid, entry.Message);
        }
    }

    /// <summary>Cancels; returns the milliseconds left, or null (<c>false</c>) if it already fired or was cancelled (T2).</summary>
    public long? Cancel(Ref timerRef)
    {
        if (!_active.TryRemove(timerRef, out var entry)) return null;
        entry.Timer?.Dispose();
        entry.Target?.RemoveTimer(entry);
        return Remaining(entry);
    }

    /// <summary>Milliseconds left, or null (<c>false</c>).</summary>
    public long? Read(Ref timerRef) => _active.TryGetValue(timerRef, out var entry) ? Remaining(entry) : null;

    /// <summary>A process died: its timers die with it (T4).</summary>
    public void CancelForExit(TimerEntry entry)
    {
        if (_active.TryRemove(entry.Ref, out _)) entry.Timer?.Dispose();
    }

    public void CancelAll()
    {
        foreach (var r in _active.Keys) Cancel(r);
    }

    private long Remaining(TimerEntry entry)
    {
        var ticks = entry.DueTimestamp - Clock.GetTimestamp();
        return ticks <= 0 ? 0 : (long)Math.Ceiling(ticks * 1000.0 / Clock.TimestampFrequency);
    }
}
