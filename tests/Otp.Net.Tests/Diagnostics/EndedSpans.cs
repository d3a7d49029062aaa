using System.Diagnostics;
using OpenTelemetry;

namespace Otp.Net.Tests.Diagnostics;

/// <summary>
/// An OpenTelemetry processor that lets a test wait until a span has ended (and so has been exported by the exporters
/// added before it): spans end on the threads that ran them, not necessarily before the HTTP response arrives.
/// </summary>
internal sealed class EndedSpans : BaseProcessor<Activity>
{
    private readonly List<Activity> _ended = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiters = [];

    public Task<Activity> WaitForAsync(Func<Activity, bool> match)
    {
        lock (_ended)
        {
            if (_ended.FirstOrDefault(match) is { } found) return Task.FromResult(found);
            var waiter = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(TestKit.Patience);
        }
    }

    public override void OnEnd(Activity data)
    {
        lock (_ended)
        {
            _ended.Add(data);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(data)) continue;
                _waiters[i].Found.TrySetResult(data);
                _waiters.RemoveAt(i);
            }
        }
    }
}
