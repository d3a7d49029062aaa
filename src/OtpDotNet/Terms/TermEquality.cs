namespace Otp.Net.Terms;

/// <summary>Erlang-style term equality: integers of any CLR width compare by value.</summary>
internal static class TermEquality
{
    /// <summary>A comparer for hash sets and dictionaries keyed by terms.</summary>
    public static readonly IEqualityComparer<object?> Comparer = new TermComparer();

    public static bool Equal(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (IsInteger(a) && IsInteger(b)) return Convert.ToInt64(a) == Convert.ToInt64(b);
        return a.Equals(b);
    }

    public static int Hash(object? a) => a switch
    {
        null => 0,
        int or long or short or byte or sbyte or ushort or uint => Convert.ToInt64(a).GetHashCode(),
        _ => a.GetHashCode(),
    };

    private static bool IsInteger(object o) => o is int or long or short or byte or sbyte or ushort or uint;

    private sealed class TermComparer : IEqualityComparer<object?>
    {
        public new bool Equals(object? x, object? y) => Equal(x, y);

        public int GetHashCode(object? obj) => Hash(obj);
    }
}
