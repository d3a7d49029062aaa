using Microsoft.Extensions.Logging;

namespace Otp.Net.Diagnostics;

/// <summary>
/// The changes of a node as they happen (<see cref="Node.Events"/>): processes spawned and exited, restarts, suspends
/// and resumes, modules loaded, purged and unloaded, upgrade and release steps. Observers are called synchronously on
/// the thread that made the change, so they must be fast and must not block: copy the event into a queue of your own.
/// With no observer nothing is built or formatted, so an unobserved node pays one field read per change.
/// An observer that throws is logged and kept.
/// </summary>
public sealed class NodeEvents : IObservable<NodeEvent>
{
    private readonly Node _node;
    private readonly Lock _lock = new();
    private IObserver<NodeEvent>[] _observers = [];

    internal NodeEvents(Node node) => _node = node;

    /// <summary>Whether anyone observes the node: check it before building an event.</summary>
    public bool IsObserved => Volatile.Read(ref _observers).Length != 0;

    /// <summary>Adds <paramref name="observer"/>; dispose the result to remove it.</summary>
    public IDisposable Subscribe(IObserver<NodeEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_lock) Volatile.Write(ref _observers, [.. _observers, observer]);
        return new Subscription(this, observer);
    }

    internal void Publish(NodeEvent e)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                observer.OnNext(e);
            }
            catch (Exception ex)
            {
                NodeLog.ObserverFailed(_node.Logger, e.Kind.ToString(), ex);
            }
        }
    }

    internal DateTimeOffset Now => _node.TimeProvider.GetUtcNow();

    private void Remove(IObserver<NodeEvent> observer)
    {
        lock (_lock)
        {
            var i = Array.IndexOf(_observers, observer);
            if (i < 0) return;
            Volatile.Write(ref _observers, [.. _observers[..i], .. _observers[(i + 1)..]]);
        }
    }

    private sealed class Subscription(NodeEvents owner, IObserver<NodeEvent> observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Remove(observer);
        }
    }
}
