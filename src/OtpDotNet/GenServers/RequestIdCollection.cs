using System.Collections;

namespace Otp.Net.GenServers;

/// <summary>
/// A collection of <see cref="RequestId"/>s, each with a label (OTP 25's <c>request_id_collection()</c>:
/// <c>reqids_new</c>, <c>reqids_add</c>, <c>reqids_size</c>, <c>reqids_to_list</c>). Wait for whichever responds
/// first with <see cref="GenServer.ReceiveResponseAsync(RequestIdCollection, TimeSpan?, bool, CancellationToken)"/>
/// or <see cref="GenServer.WaitResponseAsync(RequestIdCollection, TimeSpan?, bool, CancellationToken)"/>; the
/// response carries the request's label. Not thread-safe: it belongs to the code that made the requests.
/// </summary>
public sealed class RequestIdCollection : IReadOnlyCollection<KeyValuePair<RequestId, object?>>
{
    private readonly Dictionary<RequestId, object?> _labels = new(ReferenceEqualityComparer.Instance);
    private readonly List<RequestId> _order = [];

    /// <summary><c>reqids_size/1</c>.</summary>
    public int Count => _labels.Count;

    /// <summary><c>reqids_add/3</c>: adds <paramref name="request"/> with <paramref name="label"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="request"/> is already in the collection (<c>badarg</c>).</exception>
    public void Add(RequestId request, object? label)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_labels.TryAdd(request, label)) throw new ArgumentException("the request is already in the collection", nameof(request));
        _order.Add(request);
    }

    /// <summary>Removes <paramref name="request"/>; false if it is not in the collection.</summary>
    public bool Remove(RequestId request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_labels.Remove(request)) return false;
        _order.Remove(request);
        return true;
    }

    /// <summary>Whether <paramref name="request"/> is in the collection.</summary>
    public bool Contains(RequestId request) => request is not null && _labels.ContainsKey(request);

    /// <summary>The label of <paramref name="request"/>.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="request"/> is not in the collection.</exception>
    public object? LabelOf(RequestId request) => _labels[request];

    /// <summary><c>reqids_to_list/1</c>: the requests with their labels, in the order they were added.</summary>
    public IEnumerator<KeyValuePair<RequestId, object?>> GetEnumerator()
    {
        foreach (var r in _order) yield return new(r, _labels[r]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal IReadOnlyList<RequestId> InOrder => _order;
}
