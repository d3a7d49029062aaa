using Otp.Net.Terms;

namespace Otp.Net.Supervision;

/// <summary>Child spec checks (U2): a start function must exist, ids must be unique, a timeout must not be negative.</summary>
internal static class ChildSpecValidation
{
    /// <summary>Null if the specs are valid, otherwise the error term (e.g. <c>{duplicate_child_name, Id}</c>).</summary>
    public static object? Check(IReadOnlyList<ChildSpec> specs)
    {
        var seen = new HashSet<object?>(TermEquality.Comparer);
        foreach (var spec in specs)
        {
            if (spec is null) return Atom.Of("invalid_child_spec");
            if (spec.Id is null) return TermTuple.Of(Atom.Of("invalid_child_spec"), Atom.Of("missing_id"));
            if (spec.Start is null) return Atom.Of("missing_start");
            if (spec.Shutdown is { IsBrutalKill: false, IsInfinity: false, Milliseconds: < 0 } s) return TermTuple.Of(Atom.Of("invalid_shutdown"), s.Milliseconds);
            if (!seen.Add(spec.Id)) return TermTuple.Of(Atom.Of("duplicate_child_name"), spec.Id);
        }
        return null;
    }
}
