using System.Runtime.CompilerServices;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.TestKit;

public sealed partial class TestProbe
{
    private const int MaxListed = 10;

    // ---------------------------------------------------------------- the next message (Akka's queue semantics)

    /// <summary>
    /// Akka's <c>ReceiveOne</c>: the next message, or null when none arrives within <paramref name="timeout"/>.
    /// </summary>
    public async Task<object?> TryReceiveAsync(TimeSpan? timeout = null) =>
        (await ReceiveCoreAsync(null, TimeoutOf(timeout)).ConfigureAwait(false)).Message;

    /// <summary>
    /// The next message, whatever it is, within the probe's timeout (Akka's <c>ExpectMsg&lt;object&gt;</c>); for another
    /// timeout use <c>ExpectMsgAsync&lt;object&gt;(timeout: t)</c>.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No message arrived within the timeout.</exception>
    public Task<object> ExpectMsgAsync() => ExpectMsgAsync<object>(null, null, null);

    /// <summary>
    /// Akka's <c>ExpectMsg&lt;T&gt;(predicate)</c>: the next message must be a <typeparamref name="T"/> matching
    /// <paramref name="predicate"/> (any <typeparamref name="T"/> when null). The message is taken either way.
    /// </summary>
    /// <exception cref="TestKitAssertionException">
    /// No message arrived within the timeout, or the next message is of another type or does not match (the message
    /// says which).
    /// </exception>
    public async Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(predicate))] string? predicateText = null)
    {
        var t = TimeoutOf(timeout);
        var expected = Expected<T>(predicateText);
        var received = (await ReceiveCoreAsync(null, t).ConfigureAwait(false)).Message;
        if (received is null) throw Fail(nameof(ExpectMsgAsync), $"timed out after {Describe.Duration(t)} waiting for a {expected}; received nothing");
        if (received is T typed && Matches(predicate, typed, nameof(ExpectMsgAsync), expected)) return typed;
        throw Fail(nameof(ExpectMsgAsync), $"expected a {expected}, but the next message was {Describe.Message(received)}");
    }

    /// <summary>
    /// Akka's <c>ExpectMsg(message)</c>: the next message must equal <paramref name="expected"/>
    /// (<see cref="object.Equals(object, object)"/>). A <see cref="TimeSpan"/> is refused here, as it is almost always
    /// meant as a timeout: use <c>ExpectMsgAsync&lt;object&gt;(timeout: t)</c> for that, or a predicate for a
    /// <see cref="TimeSpan"/> message.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No message arrived within the timeout, or another one did.</exception>
    /// <exception cref="ArgumentException"><paramref name="expected"/> is a <see cref="TimeSpan"/>.</exception>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (expected is TimeSpan) throw new ArgumentException("a TimeSpan given as the expected message: for a timeout use ExpectMsgAsync<object>(timeout: t); for a TimeSpan message use a predicate", nameof(expected));
        var t = TimeoutOf(timeout);
        var received = (await ReceiveCoreAsync(null, t).ConfigureAwait(false)).Message;
        if (received is null) throw Fail(nameof(ExpectMsgAsync), $"timed out after {Describe.Duration(t)} waiting for the message {Describe.Message(expected)}; received nothing");
        if (Equals(expected, received)) return (T)received;
        throw Fail(nameof(ExpectMsgAsync), $"expected the message {Describe.Message(expected)}, but the next message was {Describe.Message(received)}");
    }

    /// <summary>Akka's <c>ExpectMsgAnyOf</c>: the next message must equal one of <paramref name="expected"/>; returns it.</summary>
    /// <exception cref="TestKitAssertionException">No message arrived within the default timeout, or another one did.</exception>
    public Task<T> ExpectMsgAnyOfAsync<T>(params T[] expected)
        where T : notnull => ExpectMsgAnyOfAsync((IReadOnlyCollection<T>)expected, timeout: null);

    /// <summary>As <see cref="ExpectMsgAnyOfAsync{T}(T[])"/>, with a timeout.</summary>
    public async Task<T> ExpectMsgAnyOfAsync<T>(IReadOnlyCollection<T> expected, TimeSpan? timeout)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (expected.Count == 0) throw new ArgumentException("give at least one message", nameof(expected));
        var t = TimeoutOf(timeout);
        var list = string.Join(" or ", expected.Select(e => Describe.Message(e)));
        var received = (await ReceiveCoreAsync(null, t).ConfigureAwait(false)).Message;
        if (received is null) throw Fail(nameof(ExpectMsgAnyOfAsync), $"timed out after {Describe.Duration(t)} waiting for {list}; received nothing");
        if (received is T typed && expected.Any(e => Equals(e, typed))) return typed;
        throw Fail(nameof(ExpectMsgAnyOfAsync), $"expected {list}, but the next message was {Describe.Message(received)}");
    }

    /// <summary>
    /// Akka's <c>ExpectNoMsg(duration)</c>: no message at all arrives within <paramref name="duration"/> (default
    /// <see cref="TestKitSettings.NoMessageTimeout"/>). A message that does arrive is taken.
    /// </summary>
    /// <exception cref="TestKitAssertionException">A message arrived (the message names it).</exception>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var t = WithinScope.Effective(Settings, duration, Settings.NoMessageTimeout);
        var received = (await ReceiveCoreAsync(null, t).ConfigureAwait(false)).Message;
        if (received is not null) throw Fail(nameof(ExpectNoMsgAsync), $"expected no message for {Describe.Duration(t)}, but received {Describe.Message(received)}");
    }

    /// <summary>
    /// Akka's <c>FishForMessage</c>: takes messages one by one, dropping those that are not a <typeparamref name="T"/>
    /// matching <paramref name="predicate"/>, until one matches or the timeout (for the whole search) passes.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No matching message arrived in time (the message lists those dropped).</exception>
    public async Task<T> FishForMessageAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(predicate))] string? predicateText = null)
    {
        var t = TimeoutOf(timeout);
        var expected = Expected<T>(predicateText);
        var clock = Settings.Clock;
        var start = clock.GetTimestamp();
        var dropped = new List<object>();
        while (true)
        {
            var left = t == System.Threading.Timeout.InfiniteTimeSpan ? t : Max(TimeSpan.Zero, t - clock.GetElapsedTime(start));
            var received = (await ReceiveCoreAsync(null, left).ConfigureAwait(false)).Message;
            if (received is null) throw Fail(nameof(FishForMessageAsync), $"timed out after {Describe.Duration(t)} fishing for a {expected}; dropped {Listed(dropped)}");
            if (received is T typed && Matches(predicate, typed, nameof(FishForMessageAsync), expected)) return typed;
            dropped.Add(received);
        }
    }

    /// <summary>
    /// Akka's <c>ReceiveWhile</c>: takes messages while they are <typeparamref name="T"/>s matching
    /// <paramref name="predicate"/>, at most <paramref name="maxMessages"/>, each arriving within <paramref name="idle"/>
    /// of the previous one (default: the probe's timeout), all within <paramref name="max"/> (default: the probe's timeout).
    /// The first message that does not match is left for the next expectation.
    /// </summary>
    public async Task<IReadOnlyList<T>> ReceiveWhileAsync<T>(Func<T, bool>? predicate = null, TimeSpan? max = null, TimeSpan? idle = null, int maxMessages = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessages);
        var total = TimeoutOf(max);
        var idleT = TimeoutOf(idle);
        var clock = Settings.Clock;
        var start = clock.GetTimestamp();
        var taken = new List<T>();
        while (taken.Count < maxMessages)
        {
            var left = total == System.Threading.Timeout.InfiniteTimeSpan ? idleT : Max(TimeSpan.Zero, total - clock.GetElapsedTime(start));
            if (idleT != System.Threading.Timeout.InfiniteTimeSpan && idleT < left) left = idleT;
            var received = (await ReceiveCoreAsync(null, left).ConfigureAwait(false)).Message;
            if (received is null) break;
            if (received is T typed && (predicate is null || predicate(typed)))
            {
                taken.Add(typed);
                continue;
            }
            await RunAsync(_ =>
            {
                _stash.Insert(0, received);
                return Task.CompletedTask;
            }).ConfigureAwait(false);
            break;
        }
        return taken;
    }

    // ---------------------------------------------------------------- selective receive (ExUnit's assert_receive)

    /// <summary>
    /// ExUnit's <c>assert_receive</c>: the oldest <typeparamref name="T"/> matching <paramref name="predicate"/> in the
    /// probe's mailbox, waiting for one up to the timeout; other messages stay queued in their order (a selective receive).
    /// </summary>
    /// <exception cref="TestKitAssertionException">None arrived in time (the message lists what the mailbox holds instead).</exception>
    public async Task<T> AssertReceiveAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null,
        [CallerArgumentExpression(nameof(predicate))] string? predicateText = null)
    {
        var t = TimeoutOf(timeout);
        var (received, skipped) = await ReceiveCoreAsync(m => m is T typed && (predicate is null || predicate(typed)), t).ConfigureAwait(false);
        if (received is T found) return found;
        throw Fail(nameof(AssertReceiveAsync), $"no {Expected<T>(predicateText)} arrived within {Describe.Duration(t)}; {Holds(skipped)}");
    }

    /// <summary>
    /// ExUnit's <c>refute_receive</c>: no <typeparamref name="T"/> matching <paramref name="predicate"/> arrives within
    /// <paramref name="duration"/> (default <see cref="TestKitSettings.NoMessageTimeout"/>); other messages stay queued.
    /// </summary>
    /// <exception cref="TestKitAssertionException">A matching message arrived (it is taken; the message names it).</exception>
    public async Task RefuteReceiveAsync<T>(Func<T, bool>? predicate = null, TimeSpan? duration = null,
        [CallerArgumentExpression(nameof(predicate))] string? predicateText = null)
    {
        var t = WithinScope.Effective(Settings, duration, Settings.NoMessageTimeout);
        var (received, _) = await ReceiveCoreAsync(m => m is T typed && (predicate is null || predicate(typed)), t).ConfigureAwait(false);
        if (received is not null) throw Fail(nameof(RefuteReceiveAsync), $"expected no {Expected<T>(predicateText)} for {Describe.Duration(t)}, but received {Describe.Message(received)}");
    }

    /// <summary>
    /// The <see cref="DownMessage"/> of a monitor on <paramref name="pid"/> (one set with <see cref="WatchAsync"/>), taken
    /// selectively: Akka's <c>ExpectTerminated</c>, ExUnit's <c>assert_receive {:DOWN, _, :process, ^pid, _}</c>.
    /// With <paramref name="reason"/>, the DOWN must carry that reason.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No DOWN for <paramref name="pid"/> arrived in time, or it carries another reason.</exception>
    public Task<DownMessage> ExpectDownAsync(Pid pid, ExitReason? reason = null, TimeSpan? timeout = null) =>
        ExpectSignalAsync<DownMessage>(d => d.Pid == pid, $"DOWN for {pid}", d => d.Reason, reason, timeout, nameof(ExpectDownAsync));

    /// <summary>As <see cref="ExpectDownAsync(Pid, ExitReason?, TimeSpan?)"/>, for the monitor <paramref name="monitor"/>.</summary>
    public Task<DownMessage> ExpectDownAsync(Ref monitor, ExitReason? reason = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return ExpectSignalAsync<DownMessage>(d => Equals(d.Ref, monitor), $"DOWN for the monitor {monitor}", d => d.Reason, reason, timeout, nameof(ExpectDownAsync));
    }

    /// <summary>
    /// The <see cref="ExitMessage"/> (<c>{'EXIT', From, Reason}</c>) from <paramref name="from"/> that a trapping probe
    /// receives when a linked process dies or sends it an exit signal, taken selectively. With
    /// <paramref name="reason"/>, it must carry that reason.
    /// </summary>
    /// <exception cref="TestKitAssertionException">No EXIT from <paramref name="from"/> arrived in time, or it carries another reason.</exception>
    public Task<ExitMessage> ExpectExitMessageAsync(Pid from, ExitReason? reason = null, TimeSpan? timeout = null) =>
        ExpectSignalAsync<ExitMessage>(e => e.From == from, $"EXIT from {from}", e => e.Reason, reason, timeout, nameof(ExpectExitMessageAsync));

    /// <summary>
    /// Akka's <c>Within</c>: runs <paramref name="body"/>, which must complete within <paramref name="max"/> (dilated);
    /// expectations inside wait at most the time left.
    /// </summary>
    /// <exception cref="TestKitAssertionException">The block took longer.</exception>
    public Task WithinAsync(TimeSpan max, Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return WithinScope.RunAsync(Settings, max, async () =>
        {
            await body().ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>As <see cref="WithinAsync(TimeSpan, Func{Task})"/>, returning the block's result.</summary>
    public Task<T> WithinAsync<T>(TimeSpan max, Func<Task<T>> body) => WithinScope.RunAsync(Settings, max, body);

    // ---------------------------------------------------------------- the one receive primitive

    private async Task<T> ExpectSignalAsync<T>(Func<T, bool> which, string what, Func<T, ExitReason> reasonOf, ExitReason? reason, TimeSpan? timeout, string operation)
        where T : class
    {
        var t = TimeoutOf(timeout);
        var (received, skipped) = await ReceiveCoreAsync(m => m is T s && which(s), t).ConfigureAwait(false);
        if (received is not T found) throw Fail(operation, $"no {what} arrived within {Describe.Duration(t)}; {Holds(skipped)}");
        if (reason is not null && reasonOf(found) != reason) throw Fail(operation, $"expected the {what} with reason {reason}, but its reason was {reasonOf(found)}");
        return found;
    }

    private TimeSpan TimeoutOf(TimeSpan? given) => WithinScope.Effective(Settings, given, DefaultTimeout);

    /// <summary>
    /// Inside the probe: takes the oldest message (put-back ones first) accepted by <paramref name="match"/> (any when
    /// null), waiting up to <paramref name="timeout"/>. Returns null at the deadline, with the messages the match
    /// rejected (they stay queued). The deadline runs on the kit's clock: when it passes, a private wake-up message is
    /// sent to the probe, which ends the receive.
    /// </summary>
    private async Task<(object? Message, IReadOnlyList<object> Skipped)> ReceiveCoreAsync(Func<object, bool>? match, TimeSpan timeout)
    {
        var wake = new WakeUp();
        var skipped = new List<object>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Exception? matchFailure = null;
        object? failedOn = null;
        bool Accept(object m)
        {
            if (m is WakeUp) return true;
            if (match is null) return true;
            bool ok;
            try
            {
                ok = match(m);
            }
            catch (Exception ex)
            {
                matchFailure ??= ex;
                failedOn ??= m;
                return true;
            }
            if (!ok && seen.Add(m)) skipped.Add(m);
            return ok;
        }
        var operation = RunAsync<object?>(async ctx =>
        {
            for (var i = 0; i < _stash.Count; i++)
            {
                var m = _stash[i];
                if (Accept(m))
                {
                    _stash.RemoveAt(i);
                    return m;
                }
            }
            while (true)
            {
                var m = await ctx.ReceiveAsync(Accept).ConfigureAwait(false);
                if (m is WakeUp w)
                {
                    if (ReferenceEquals(w, wake)) return null;
                    continue; // left over from an earlier receive that ended first
                }
                return m;
            }
        });
        using var timer = timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? null
            : Settings.Clock.CreateTimer(static s => { var (node, pid, w) = ((Node, Pid, WakeUp))s!; node.Send(pid, w); }, (Node, Pid, wake), timeout, System.Threading.Timeout.InfiniteTimeSpan);
        var received = await operation.ConfigureAwait(false);
        if (matchFailure is not null) throw new TestKitAssertionException($"{this}: the predicate threw on {Describe.Message(failedOn)}: {matchFailure.Message}", matchFailure);
        return (received, skipped);
    }

    private bool Matches<T>(Func<T, bool>? predicate, T message, string operation, string expected)
    {
        if (predicate is null) return true;
        try
        {
            return predicate(message);
        }
        catch (Exception ex)
        {
            throw new TestKitAssertionException($"{operation} at {this}: the predicate of {expected} threw on {Describe.Message(message)}: {ex.Message}", ex);
        }
    }

    private TestKitAssertionException Fail(string operation, string what) => new($"{operation} at {this}: {what}.");

    private static string Expected<T>(string? predicateText) =>
        typeof(T) == typeof(object) && predicateText is null ? "message"
        : predicateText is null ? $"message of type {Describe.TypeName(typeof(T))}"
        : $"message of type {Describe.TypeName(typeof(T))} matching {predicateText}";

    private static string Holds(IReadOnlyList<object> skipped) =>
        skipped.Count == 0 ? "the mailbox is empty" : $"the mailbox holds {skipped.Count} other message(s): {Listed(skipped)}";

    private static string Listed(IReadOnlyList<object> messages) =>
        messages.Count == 0 ? "nothing"
        : messages.Count <= MaxListed ? Describe.Messages(messages)
        : $"{Describe.Messages(messages.Take(MaxListed).ToArray())} and {messages.Count - MaxListed} more";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Ends one receive of the probe at its deadline.</summary>
    private sealed class WakeUp;
}
