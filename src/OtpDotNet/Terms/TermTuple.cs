using System.Collections;
using System.Runtime.CompilerServices;

namespace Otp.Net.Terms;

/// <summary>
/// An Erlang tuple of any arity with structural equality. Framework reasons such as
/// <c>{bad_return_value, V}</c> are built from these, so they print and compare like Erlang terms.
/// </summary>
public sealed class TermTuple : ITuple, IEquatable<TermTuple>, IReadOnlyList<object?>
{
    private readonly object?[] _items;

    /// <summary>Creates a tuple of the given elements.</summary>
    public TermTuple(params object?[] items) => _items = items ?? [];

    /// <summary>Creates a tuple of the given elements.</summary>
    public static TermTuple Of(params object?[] items) => new(items);

    /// <inheritdoc />
    public int Length => _items.Length;

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc cref="ITuple.this" />
    public object? this[int index] => _items[index];

    /// <inheritdoc />
    public bool Equals(TermTuple? other)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack(); // deeply nested terms fail with an exception, never a stack overflow
        if (other is null || other._items.Length != _items.Length) return false;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!TermEquality.Equal(_items[i], other._items[i])) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TermTuple t && Equals(t);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var h = new HashCode();
        foreach (var item in _items) h.Add(TermEquality.Hash(item));
        return h.ToHashCode();
    }

    /// <inheritdoc />
    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>The tuple in Erlang syntax.</summary>
    public override string ToString() => TermFormatter.Format(this);
}
