using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Otp.Net.Terms;

/// <summary>
/// A process's old state in a neutral form: what a new module version's <c>CodeChange</c> receives when the old
/// state holds objects of the old version's assembly. It holds only framework and BCL values (numbers, strings,
/// lists, maps, nested <see cref="StateTerm"/>s), so no old type escapes into new code and the old version can be
/// unloaded. It has one entry per public property and public field of the old object, and one per non-public field
/// (see <see cref="NonPublicKeys"/>; an auto-property's hidden field is named after its property). Read it by
/// field, or map it onto a record of the old shape that the new version declares:
/// <code>var old = ((StateTerm)oldState).As&lt;CounterStateV1&gt;();</code>
/// The mapping is strict (<see cref="StateMapping.Strict"/>): a member the target needs and the old state lacks,
/// has only as a non-public field, or has with an unconvertible type fails with a
/// <see cref="StateMigrationException"/> naming it.
/// </summary>
public sealed class StateTerm : IReadOnlyDictionary<string, object?>
{
    /// <summary>How deep an old state may be nested to be turned into a term (deeper: <see cref="StateMigrationError.TooDeep"/>).</summary>
    public const int MaxDepth = 256;

    /// <summary>How many objects an old state may have to be turned into a term (more: <see cref="StateMigrationError.TooLarge"/>).</summary>
    public const int MaxObjects = 1_000_000;

    private readonly Dictionary<string, object?> _fields;
    private readonly HashSet<string> _nonPublic;

    internal StateTerm(string typeName, Dictionary<string, object?> fields, HashSet<string> nonPublic)
    {
        TypeName = typeName;
        _fields = fields;
        _nonPublic = nonPublic;
    }

    /// <summary>The full name of the old state's type.</summary>
    public string TypeName { get; }

    /// <summary>The keys that come from non-public fields of the old object.</summary>
    public IReadOnlyCollection<string> NonPublicKeys => _nonPublic;

    /// <inheritdoc />
    public object? this[string key] => _fields[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _fields.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _fields.Values;

    /// <inheritdoc />
    public int Count => _fields.Count;

    /// <summary>Whether <paramref name="key"/> comes from a non-public field of the old object.</summary>
    public bool IsNonPublic(string key) => _nonPublic.Contains(key);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _fields.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _fields.TryGetValue(key, out value);

    /// <summary>
    /// The entry <paramref name="name"/> (public or not) converted to <typeparamref name="T"/>; a
    /// <see cref="StateMigrationException"/> if it is missing or cannot be converted.
    /// </summary>
    public T Get<T>(string name, StateMapping mapping = StateMapping.Strict)
    {
        if (!_fields.TryGetValue(name, out var value)) throw new StateMigrationException(StateMigrationError.MissingMember, name, $"{TypeName} has no member {name}");
        return (T)StateTerms.ConvertTo(value, typeof(T), mapping, name, 0)!;
    }

    /// <summary>
    /// Maps the entries onto <typeparamref name="T"/> (typically a record of the old shape declared in the new
    /// version): constructor parameters and public settable members are matched by name (exactly, else ignoring
    /// case), non-public fields of <typeparamref name="T"/> get the old non-public field of the same name, and nested
    /// terms, lists and maps are converted recursively. See <see cref="StateMapping"/> for what fails.
    /// </summary>
    public T As<T>(StateMapping mapping = StateMapping.Strict) => (T)StateTerms.ConvertTo(this, typeof(T), mapping, "", 0)!;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _fields.GetEnumerator();

    /// <summary>The term in Erlang record syntax, bounded like every formatted term: <c>#'Type'{Count=1,Log=["a"]}</c>.</summary>
    public override string ToString() => Terms.TermFormatter.Format(this);
}
