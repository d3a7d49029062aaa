using System.Diagnostics;
using System.Globalization;

namespace Otp.Net.Processes;

/// <summary>One reading of the machine's and this program's processor time.</summary>
/// <param name="MachineBusy">Time all cores spent busy (any program, the kernel, and time the hypervisor took), in seconds of core time.</param>
/// <param name="MachineTotal">Time all cores spent in total, idle included, in seconds of core time.</param>
/// <param name="Own">Processor time this program used, in seconds.</param>
/// <param name="Timestamp">When the reading was taken (<see cref="Stopwatch.GetTimestamp"/>).</param>
internal readonly record struct CpuReading(double MachineBusy, double MachineTotal, double Own, long Timestamp);

/// <summary>
/// Decides, from two readings a sample period apart, whether other programs keep the cores busy enough for hand-off
/// slots to hurt (see <see cref="ForeignLoadMonitor"/>).
/// </summary>
internal sealed class ForeignLoadPolicy
{
    /// <summary>Other programs' use, in cores, from which hand-offs are suspended (if the machine is also nearly saturated).</summary>
    public const double ForeignCores = 0.5;

    /// <summary>Idle cores below which the machine counts as saturated.</summary>
    public const double IdleCores = 0.5;

    /// <summary>Quiet samples in a row after which suspended hand-offs resume.</summary>
    public const int QuietSamplesToResume = 2;

    private CpuReading? _last;
    private int _quiet;

    /// <summary>Whether hand-offs are suspended after the last reading.</summary>
    public bool Suspended { get; private set; }

    /// <summary>Other programs' use of the cores over the last period, in cores (diagnostics and tests).</summary>
    public double LastForeignCores { get; private set; }

    /// <summary>Idle cores over the last period (diagnostics and tests).</summary>
    public double LastIdleCores { get; private set; }

    /// <summary>Forgets the readings taken: the next one starts a new period, hand-offs not suspended.</summary>
    public void Reset()
    {
        _last = null;
        _quiet = 0;
        Suspended = false;
    }

    /// <summary>Takes a reading; returns whether hand-offs are suspended from now on.</summary>
    public bool Next(CpuReading reading)
    {
        var last = _last;
        _last = reading;
        if (last is not { } previous) return Suspended;
        var wall = (reading.Timestamp - previous.Timestamp) / (double)Stopwatch.Frequency;
        if (wall <= 0) return Suspended;
        var busy = reading.MachineBusy - previous.MachineBusy;
        var total = reading.MachineTotal - previous.MachineTotal;
        var own = reading.Own - previous.Own;
        if (total <= 0 || busy < 0 || own < 0) return Suspended; // a counter went back (a reset, a fault): skip the period
        LastForeignCores = Math.Max(0, busy - own) / wall;
        LastIdleCores = Math.Max(0, total - busy) / wall;
        var loaded = LastForeignCores >= ForeignCores && LastIdleCores < IdleCores;
        if (loaded)
        {
            _quiet = 0;
            Suspended = true;
        }
        else if (Suspended && ++_quiet >= QuietSamplesToResume)
        {
            _quiet = 0;
            Suspended = false;
        }
        return Suspended;
    }
}

/// <summary>
/// Suspends the <see cref="Scheduler"/>'s hand-off slots while other programs keep the machine's cores busy.
/// </summary>
/// <remarks>
/// A process waiting in a hand-off slot runs when its waker's turn ends, or when a watcher on another thread takes it.
/// Both need a core. When other programs' threads keep the cores busy, the kernel time-slices this program's threads
/// with theirs, and a process left in the slot of a thread that lost its core waits for that thread's next slice: a
/// scheduler tick or two (4–8 ms on a kernel with HZ=250). Eight clients calling one server then had a p99 of
/// 1–1.9 ms with hand-offs against about 0.1 ms without. So, four times a second while a node that uses hand-offs is
/// alive, this monitor reads the machine's core time (<c>/proc/stat</c>, the hypervisor's steal included) and this
/// program's own (<see cref="Environment.CpuUsage"/>). While other programs used at least
/// <see cref="ForeignLoadPolicy.ForeignCores"/> of a core and less than <see cref="ForeignLoadPolicy.IdleCores"/> of
/// a core stayed idle, wake-ups go to the thread pool directly, as with <see cref="NodeOptions.HandOff"/> off; they
/// resume after two quiet samples. This program's own load never suspends them: its threads outnumbering the cores
/// costs less than losing the hand-offs (a <c>pairs</c> run fell to a quarter of its messages without them). The monitor
/// reads Linux's <c>/proc/stat</c>; elsewhere it does not run and hand-offs stay on.
/// </remarks>
internal static class ForeignLoadMonitor
{
    /// <summary>The sample period.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private const string StatPath = "/proc/stat";

    // /proc/stat counts in USER_HZ, which Linux fixes at 100 for user space on every architecture it supports.
    private const double TicksPerSecond = 100;

    /// <summary>Serializes the sampling with <see cref="Acquire"/>, <see cref="Release"/> and tests that set <see cref="Scheduler.HandOffSuspended"/>.</summary>
    internal static readonly object Gate = new();
    private static readonly ForeignLoadPolicy Policy = new();
    private static int s_users;
    private static Timer? s_timer;
    private static long s_suspensions;

    /// <summary>Whether the machine's core time can be read here.</summary>
    public static bool Available { get; } = TryRead(out _);

    /// <summary>How many times hand-offs were suspended since the program started.</summary>
    public static long Suspensions => Volatile.Read(ref s_suspensions);

    /// <summary>A node that uses hand-offs started: sample while at least one is alive.</summary>
    public static void Acquire()
    {
        if (!Available) return;
        lock (Gate)
        {
            if (s_users++ > 0) return;
            using (ExecutionContext.SuppressFlow()) s_timer = new Timer(static _ => Sample(), null, TimeSpan.Zero, Period);
        }
    }

    /// <summary>A node that uses hand-offs ended: the last one stops the sampling and lets hand-offs resume.</summary>
    public static void Release()
    {
        if (!Available) return;
        lock (Gate)
        {
            if (s_users == 0 || --s_users > 0) return;
            StopSampling();
        }
    }

    /// <summary>Stops the timer and lets hand-offs resume (under <see cref="Gate"/>).</summary>
    private static void StopSampling()
    {
        s_timer?.Dispose();
        s_timer = null;
        Policy.Reset();
        Scheduler.HandOffSuspended = false;
    }

    private static void Sample()
    {
        try
        {
            if (!TryRead(out var reading)) return;
            lock (Gate)
            {
                if (s_timer is null) return; // released meanwhile
                var was = Scheduler.HandOffSuspended;
                var now = Policy.Next(reading);
                if (now && !was) Interlocked.Increment(ref s_suspensions);
                Scheduler.HandOffSuspended = now;
            }
        }
        catch (Exception)
        {
            // A timer callback must not end the program: on a failure nothing here foresaw, stop sampling and keep
            // hand-offs on, as on a system without /proc/stat.
            lock (Gate) StopSampling();
        }
    }

    /// <summary>Reads the machine's and this program's processor time; false where <c>/proc/stat</c> cannot be read.</summary>
    internal static bool TryRead(out CpuReading reading)
    {
        reading = default;
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            Span<byte> buffer = stackalloc byte[512];
            int read;
            using (var stat = new FileStream(StatPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            {
                read = stat.Read(buffer);
            }
            var timestamp = Stopwatch.GetTimestamp();
            var own = Environment.CpuUsage.TotalTime.TotalSeconds;
            if (!TryParseCpuLine(buffer[..read], out var busy, out var total)) return false;
            reading = new CpuReading(busy / TicksPerSecond, total / TicksPerSecond, own, timestamp);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Parses the first line of <c>/proc/stat</c>: <c>cpu user nice system idle iowait irq softirq steal guest guest_nice</c>.
    /// Busy is everything but idle and iowait; guest time is already counted in user time.
    /// </summary>
    internal static bool TryParseCpuLine(ReadOnlySpan<byte> text, out long busy, out long total)
    {
        busy = total = 0;
        var end = text.IndexOf((byte)'\n');
        var line = end < 0 ? text : text[..end];
        if (!line.StartsWith("cpu "u8)) return false;
        line = line[4..];
        var column = 0;
        while (column < 8)
        {
            line = line.TrimStart((byte)' ');
            if (line.IsEmpty) break;
            var space = line.IndexOf((byte)' ');
            var field = space < 0 ? line : line[..space];
            if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
            total += value;
            if (column is not (3 or 4)) busy += value;
            column++;
            line = space < 0 ? default : line[space..];
        }
        return column >= 4;
    }
}
