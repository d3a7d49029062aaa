namespace Otp.Net.TestKit;

/// <summary>
/// The deadline of the innermost <c>WithinAsync</c> block around the calling code (Akka's <c>Within</c>): expectations
/// inside it wait at most the time left.
/// </summary>
internal static class WithinScope
{
    private static readonly AsyncLocal<(TimeProvider Clock, DateTimeOffset Deadline)?> Current = new();

    /// <summary>
    /// The timeout an expectation uses: <paramref name="given"/> or <paramref name="fallback"/>, dilated, and no later
    /// than the enclosing block's deadline.
    /// </summary>
    public static TimeSpan Effective(TestKitSettings settings, TimeSpan? given, TimeSpan fallback)
    {
        var t = settings.Dilated(given ?? fallback);
        if (Remaining() is not { } left) return t;
        return t == Timeout.InfiniteTimeSpan || left < t ? left : t;
    }

    /// <summary>The time left before the enclosing block's deadline, or null outside any block.</summary>
    public static TimeSpan? Remaining()
    {
        if (Current.Value is not { } scope) return null;
        var left = scope.Deadline - scope.Clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    public static async Task<T> RunAsync<T>(TestKitSettings settings, TimeSpan max, Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var dilated = settings.Dilated(max);
        if (dilated == Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(max), "a Within block needs a finite duration");
        var clock = settings.Clock;
        var start = clock.GetUtcNow();
        var deadline = start + dilated;
        if (Current.Value is { } outer && outer.Deadline < deadline) deadline = outer.Deadline;
        Current.Value = (clock, deadline);
        var budget = deadline - start;
        if (budget < TimeSpan.Zero) budget = TimeSpan.Zero;
        // As Akka's Within: the block runs to its end (the expectations inside fail at the deadline with their own
        // message) and is then checked against the budget; a block stuck on something else is cut a little later.
        var cap = budget + settings.Dilated(Grace);
        T result;
        try
        {
            result = await body().WaitAsync(cap, clock).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TestKitAssertionException($"the block did not complete within {Describe.Duration(budget)}", ex);
        }
        var took = clock.GetUtcNow() - start;
        if (took > budget) throw new TestKitAssertionException($"the block took {Describe.Duration(took)}, more than {Describe.Duration(budget)}");
        return result;
    }

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
}
