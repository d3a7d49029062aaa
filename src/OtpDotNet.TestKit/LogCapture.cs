using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Otp.Net.TestKit;

/// <summary>
/// A logger provider that keeps every event, with its structured properties, for tests of what the runtime reports
/// (crash, supervisor and progress reports). <see cref="ExpectLogAsync"/> waits for an event instead of polling.
/// Safe to use from any thread.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<CapturedLog> _entries = [];
    private readonly List<(Func<CapturedLog, bool> Match, TaskCompletionSource<CapturedLog> Done)> _waiters = [];
    private int _start;

    /// <summary>The events captured so far (since the last <see cref="Clear"/>), oldest first: a snapshot.</summary>
    public IReadOnlyList<CapturedLog> Entries
    {
        get
        {
            lock (_gate) return _entries.Skip(_start).ToArray();
        }
    }

    /// <summary>Forgets the events captured so far; <see cref="Entries"/> and <see cref="ExpectLogAsync"/> then only see later ones.</summary>
    public void Clear()
    {
        lock (_gate) _start = _entries.Count;
    }

    /// <summary>
    /// The first event (captured already, since the last <see cref="Clear"/>, or later) that matches
    /// <paramref name="predicate"/>, waiting up to the timeout (default <see cref="TestKitSettings.DefaultTimeout"/>, dilated).
    /// </summary>
    /// <exception cref="TestKitAssertionException">No such event in time (the message lists the events captured).</exception>
    public async Task<CapturedLog> ExpectLogAsync(Func<CapturedLog, bool> predicate, TimeSpan? timeout = null, TestKitSettings? settings = null,
        [CallerArgumentExpression(nameof(predicate))] string? predicateText = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var s = settings ?? TestKitSettings.Default;
        var t = WithinScope.Effective(s, timeout, s.DefaultTimeout);
        var done = new TaskCompletionSource<CapturedLog>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            for (var i = _start; i < _entries.Count; i++)
            {
                if (predicate(_entries[i])) return _entries[i];
            }
            _waiters.Add((predicate, done));
        }
        try
        {
            return await done.Task.WaitAsync(t, s.Clock).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            lock (_gate) _waiters.RemoveAll(w => w.Done == done);
            if (done.Task.IsCompletedSuccessfully) return done.Task.Result;
            var seen = Entries;
            var listed = seen.Count == 0 ? "nothing was logged" : $"logged: {string.Join("; ", seen.TakeLast(10))}";
            throw new TestKitAssertionException($"ExpectLogAsync: no log event matching {predicateText} within {Describe.Duration(t)}; {listed}.", ex);
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(CapturedLog entry)
    {
        List<TaskCompletionSource<CapturedLog>>? matched = null;
        lock (_gate)
        {
            _entries.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                bool hit;
                try
                {
                    hit = _waiters[i].Match(entry);
                }
                catch (Exception ex)
                {
                    _waiters[i].Done.TrySetException(ex);
                    _waiters.RemoveAt(i);
                    continue;
                }
                if (!hit) continue;
                (matched ??= []).Add(_waiters[i].Done);
                _waiters.RemoveAt(i);
            }
        }
        if (matched is not null)
        {
            foreach (var done in matched) done.TrySetResult(entry);
        }
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            owner.Add(new CapturedLog(category, logLevel, eventId, properties, formatter(state, exception), exception));
        }
    }
}
