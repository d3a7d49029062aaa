using System.Globalization;

namespace Otp.Net.TestKit;

/// <summary>
/// Timeouts of the test kit, like Akka.TestKit's <c>akka.test.single-expect-default</c> and
/// <c>akka.test.timefactor</c>. Every timeout the kit applies (given or default) is multiplied by
/// <see cref="TimeFactor"/>, so a slow CI machine sets <c>OTPNET_TEST_TIMEFACTOR=3</c> instead of editing tests.
/// Expectation timeouts run on <see cref="Clock"/> (the wall clock by default), not on the node's clock: a test whose
/// node runs on a fake clock never hangs in an expectation.
/// </summary>
public sealed record TestKitSettings
{
    /// <summary>The environment variable read by <see cref="Default"/> for <see cref="TimeFactor"/> (a positive number).</summary>
    public const string TimeFactorVariable = "OTPNET_TEST_TIMEFACTOR";

    /// <summary>
    /// The settings every probe, test node and expectation uses when given none: initially the defaults below, with
    /// <see cref="TimeFactor"/> taken from <see cref="TimeFactorVariable"/> when it is set to a positive number. A test
    /// assembly may replace it once before its tests run (e.g. in a module initializer:
    /// <c>TestKitSettings.Default = TestKitSettings.Default with { DefaultTimeout = ... }</c>).
    /// </summary>
    public static TestKitSettings Default
    {
        get => Volatile.Read(ref s_default);
        set => Volatile.Write(ref s_default, value ?? throw new ArgumentNullException(nameof(value)));
    }

    private static TestKitSettings s_default = new() { TimeFactor = ReadTimeFactor(Environment.GetEnvironmentVariable(TimeFactorVariable)) };

    /// <summary>How long an expectation waits for what it expects when the call gives no timeout (default 5 s, before dilation).</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long <see cref="TestProbe.ExpectNoMsgAsync"/> and <see cref="TestProbe.RefuteReceiveAsync{T}"/> watch when the
    /// call gives no duration (default 100 ms before dilation, as ExUnit's <c>refute_receive</c>).
    /// </summary>
    public TimeSpan NoMessageTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The factor applied to every timeout (default 1; see <see cref="TimeFactorVariable"/>).</summary>
    public double TimeFactor
    {
        get;
        init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "the time factor must be a positive number");
    } = 1;

    /// <summary>The clock that expectation timeouts run on (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// <paramref name="duration"/> multiplied by <see cref="TimeFactor"/> (Akka's <c>Dilated</c>);
    /// <see cref="Timeout.InfiniteTimeSpan"/> stays infinite.
    /// </summary>
    public TimeSpan Dilated(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan) return duration;
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var ticks = duration.Ticks * TimeFactor;
        // Beyond what a timer accepts (about 49 days) a wait is as good as infinite.
        return ticks >= MaxFinite.Ticks ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks((long)ticks);
    }

    private static readonly TimeSpan MaxFinite = TimeSpan.FromDays(40);

    internal static double ReadTimeFactor(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 && double.IsFinite(f) ? f : 1;
}
