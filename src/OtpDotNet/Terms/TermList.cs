using System.Runtime.CompilerServices;
using System.Collections;

namespace Otp.Net.Terms;

/// <summary>An Erlang list with structural equality (framework reasons and the scenario language use it).</summary>
public sealed class TermList : IReadOnlyList<object?>, IEquatable<TermList>
{
    private readonly object?[] _items;

    /// <summary>Creates a list of the given elements.</summary>
    public TermList(params object?[] items) => _items = items ?? [];

    /// <summary>The empty list.</summary>
    public static TermList Empty { get; } = new();

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public object? this[int index] => _items[index];

    /// <inheritdoc />
    public bool Equals(TermList? other)
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
    public override bool Equals(object? obj) => obj is TermList l && Equals(l);

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

    /// <summary>The list in Erlang syntax.</summary>
    public override string ToString() => TermFormatter.Format(this);
}
