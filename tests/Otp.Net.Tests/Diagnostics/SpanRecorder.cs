using System.Diagnostics;
using Otp.Net.Diagnostics;

namespace Otp.Net.Tests.Diagnostics;

/// <summary>
/// Records every span of Otp.Net's activity source (and of <see cref="TestSource"/>) that stops while it lives, and
/// lets a test wait for one: spans end on the server's thread, after the caller may already have its reply.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    public static readonly ActivitySource TestSource = new("Otp.Net.Tests");

    /// <summary>The name of the span that checks a new listener is attached; no recorder keeps it.</summary>
    private const string ProbeName = "span-recorder-probe";

    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];
    private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiters = [];
    private Activity? _probed;

    public SpanRecorder()
    {
        // The runtime attaches a new listener to the existing sources by walking its list of them, and a walk that
        // runs while another test's host disposes one of its sources can skip a source. Each source this recorder
        // needs is checked with a probe span, and the listener is registered again until both are attached.
        for (var attempt = 0; ; attempt++)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == OtpDiagnostics.ActivitySourceName || source == TestSource,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStarted = a =>
                {
                    if (a.DisplayName == ProbeName) _probed = a;
                },
                ActivityStopped = OnStopped,
            };
            ActivitySource.AddActivityListener(_listener);
            if ((Attached(TestSource) && Attached(OtpTelemetry.Source)) || attempt == 20) break;
            _listener.Dispose();
        }
    }

    private bool Attached(ActivitySource source)
    {
        var ambient = Activity.Current;
        Activity.Current = null;
        try
        {
            _probed = null;
            using var probe = source.StartActivity(ProbeName);
            return probe is not null && ReferenceEquals(_probed, probe);
        }
        finally
        {
            Activity.Current = ambient;
        }
    }

    /// <summary>The spans stopped so far.</summary>
    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped) return _stopped.ToArray();
        }
    }

    /// <summary>Completes with the first stopped span (past or future) matching <paramref name="match"/>.</summary>
    public Task<Activity> WaitForAsync(Func<Activity, bool> match)
    {
        lock (_stopped)
        {
            if (_stopped.FirstOrDefault(match) is { } found) return Task.FromResult(found);
            var waiter = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(TestKit.Patience);
        }
    }

    /// <summary>The stopped span named <paramref name="name"/> in the trace <paramref name="trace"/>.</summary>
    public Task<Activity> WaitForAsync(string name, ActivityTraceId trace) => WaitForAsync(a => a.DisplayName == name && a.TraceId == trace);

    private void OnStopped(Activity activity)
    {
        if (activity.DisplayName == ProbeName) return;
        lock (_stopped)
        {
            _stopped.Add(activity);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(activity)) continue;
                _waiters[i].Found.TrySetResult(activity);
                _waiters.RemoveAt(i);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
