using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Timers;

/// <summary>One pending timer: where it goes, what it carries, when it is due.</summary>
internal sealed class TimerEntry : IProcessTimer
{
    private readonly TimerService _service;

    public TimerEntry(TimerService service, Ref timerRef, LocalProcess? target, string? targetName, object message, long dueTimestamp)
    {
        _service = service;
        Ref = timerRef;
        Target = target;
        TargetName = targetName;
        Message = message;
        DueTimestamp = dueTimestamp;
    }

    public Ref Ref { get; }

    /// <summary>The destination process, when the timer is aimed at a pid (it dies with it, OTP T4).</summary>
    public LocalProcess? Target { get; }

    /// <summary>The destination name, resolved at expiry (OTP T4).</summary>
    public string? TargetName { get; }

    public object Message { get; }

    public long DueTimestamp { get; }

    public ITimer? Timer { get; set; }

    /// <inheritdoc />
    public void CancelAtExit() => _service.CancelForExit(this);
}
