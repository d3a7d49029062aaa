using System.Diagnostics;

namespace Otp.Net.Processes;

/// <summary>
/// A process's save queue: messages taken from the mailbox that a selective receive skipped, oldest first. Reader
/// only (the process's own code), except <see cref="Count"/>, which diagnostics read racily.
/// </summary>
/// <remarks>
/// <para>
/// An array used from <see cref="_head"/> to <see cref="_tail"/>. Taking a message leaves a hole (null) unless it is
/// the oldest, in which case the head moves past it and past any hole behind it; holes are squeezed out when the
/// array is full or when they outnumber the live messages, so every operation is amortised O(1) plus the messages
/// it actually examines. A plain receive after a suspension therefore drains n saved messages in O(n).
/// </para>
/// <para>
/// Like BEAM's save pointer, the queue remembers how far one predicate has already looked:
/// <see cref="_rejectedBy"/> rejected every live message before <see cref="_rejectedEnd"/>. A receive that waits
/// and looks again with the same predicate (or a behaviour that reuses one pure predicate, such as a suspended
/// server's "system messages only") resumes there instead of rescanning the backlog on every wake-up. Messages are
/// only ever appended behind that mark, and removals do not invalidate it.
/// </para>
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
internal sealed class SaveQueue
{
    private object?[] _items = new object?[16];
    private int _head;
    private int _tail;
    private int _count;
    private Func<object, bool>? _rejectedBy;
    private int _rejectedEnd;

    /// <summary>Live messages.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Appends a message the current receive did not take.</summary>
    public void Add(object message)
    {
        if (_tail == _items.Length) MakeRoom();
        _items[_tail++] = message;
        _count++;
        AssertInvariants();
    }

    /// <summary>
    /// Takes the oldest message matching <paramref name="match"/> (the oldest of all when null).
    /// </summary>
    /// <param name="match">The receive's predicate.</param>
    /// <param name="resume">
    /// True when <paramref name="match"/> is known to give the same answer as when it last scanned this queue (the
    /// same receive looking again after a wait, or a pure predicate): the messages it rejected then are skipped.
    /// </param>
    /// <param name="message">The message taken.</param>
    public bool TryTake(Func<object, bool>? match, bool resume, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? message)
    {
        if (_count == 0)
        {
            message = null;
            return false;
        }
        if (match is null)
        {
            message = TakeAt(_head);
            return true;
        }
        var items = _items;
        var start = resume && ReferenceEquals(match, _rejectedBy) ? Math.Max(_head, _rejectedEnd) : _head;
        for (var i = start; i < _tail; i++)
        {
            if (items[i] is { } m && match(TracedMessage.Unwrap(m)))
            {
                _rejectedBy = match;
                _rejectedEnd = i;
                message = TakeAt(i);
                return true;
            }
        }
        MarkAllRejected(match);
        message = null;
        return false;
    }

    /// <summary>Records that <paramref name="match"/> rejected every message now queued.</summary>
    public void MarkAllRejected(Func<object, bool>? match)
    {
        _rejectedBy = match;
        _rejectedEnd = _tail;
    }

    /// <summary>Removes the oldest message matching <paramref name="match"/>; false if there is none.</summary>
    public bool RemoveFirst(Func<object, bool> match)
    {
        for (var i = _head; i < _tail; i++)
        {
            if (_items[i] is { } m && match(TracedMessage.Unwrap(m)))
            {
                TakeAt(i);
                return true;
            }
        }
        return false;
    }

    private object TakeAt(int index)
    {
        var message = _items[index]!;
        _items[index] = null;
        _count--;
        if (_count == 0)
        {
            _head = _tail = _rejectedEnd = 0;
        }
        else if (index == _head)
        {
            do _head++;
            while (_items[_head] is null);
        }
        else if (_tail - _head - _count > _count + 32)
        {
            Compact(_items);
        }
        AssertInvariants();
        return message;
    }

    /// <summary>The array is full: squeeze out the holes in place if that frees half of it, else grow.</summary>
    private void MakeRoom()
    {
        if (_count <= _items.Length / 2) Compact(_items);
        else Compact(new object?[_items.Length * 2]);
    }

    /// <summary>Copies the live messages, in order, to the front of <paramref name="target"/>; moves the mark with them.</summary>
    private void Compact(object?[] target)
    {
        var source = _items;
        var j = 0;
        var rejectedEnd = 0;
        for (var i = _head; i < _tail; i++)
        {
            if (i == _rejectedEnd) rejectedEnd = j;
            if (source[i] is { } m)
            {
                source[i] = null;
                target[j++] = m;
            }
        }
        _rejectedEnd = _rejectedEnd >= _tail ? j : rejectedEnd;
        _items = target;
        _head = 0;
        _tail = j;
        AssertInvariants();
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_head >= 0 && _head <= _tail && _tail <= _items.Length, "head and tail inside the array");
        Debug.Assert(_count <= _tail - _head, "live messages fit between head and tail");
        Debug.Assert(_count == 0 || _items[_head] is not null, "the head is a live message");
    }
}
