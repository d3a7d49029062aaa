using Microsoft.Extensions.Logging;
using Otp.Net.Diagnostics;

namespace Otp.Net;

/// <summary>
/// The changes of a node as they happen (<see cref="Node.Events"/>): processes spawned and exited, restarts, suspends
/// and resumes, modules loaded, purged and unloaded, upgrade and release steps. Observers are called synchronously on
/// the thread that made the change, so they must be fast and must not block: copy the event into a queue of your own.
/// With no observer nothing is built or formatted, so an unobserved node pays one field read per change.
/// An observer that throws is kept, and its first failure logged. What observers cause while they handle an event
/// (a log entry, a spawn) is not published again: an observer never feeds itself.
/// </summary>
public sealed class NodeEvents : IObservable<NodeEvent>
{
    private readonly Node _node;
    private readonly Lock _lock = new();
    private Entry[] _observers = [];

    [ThreadStatic]
    private static bool t_publishing;

    internal NodeEvents(Node node) => _node = node;

    /// <summary>Whether anyone observes the node: check it before building an event.</summary>
    public bool IsObserved => Volatile.Read(ref _observers).Length != 0;

    /// <summary>Adds <paramref name="observer"/>; dispose the result to remove it.</summary>
    public IDisposable Subscribe(IObserver<NodeEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var entry = new Entry(observer);
        lock (_lock) Volatile.Write(ref _observers, [.. _observers, entry]);
        return new Subscription(this, entry);
    }

    internal void Publish(NodeEvent e)
    {
        if (t_publishing) return;
        t_publishing = true;
        try
        {
            foreach (var entry in Volatile.Read(ref _observers))
            {
                try
                {
                    entry.Observer.OnNext(e);
                }
                catch (Exception ex)
                {
                    if (Interlocked.Increment(ref entry.Failures) == 1) NodeLog.ObserverFailed(_node.Logger, e.Kind.ToString(), ex);
                }
            }
        }
        finally
        {
            t_publishing = false;
        }
    }

    internal DateTimeOffset Now => _node.TimeProvider.GetUtcNow();

    private void Remove(Entry observer)
    {
        lock (_lock)
        {
            var i = Array.IndexOf(_observers, observer);
            if (i < 0) return;
            Volatile.Write(ref _observers, [.. _observers[..i], .. _observers[(i + 1)..]]);
        }
    }

    private sealed class Entry(IObserver<NodeEvent> observer)
    {
        public readonly IObserver<NodeEvent> Observer = observer;
        public long Failures;
    }

    private sealed class Subscription(NodeEvents owner, Entry observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(observer);
        }
    }
}
