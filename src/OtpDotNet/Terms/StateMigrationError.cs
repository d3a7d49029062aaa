namespace Otp.Net.Terms;

/// <summary>Why an old state could not be migrated.</summary>
public enum StateMigrationError
{
    /// <summary>The target needs a member the old state does not have.</summary>
    MissingMember,

    /// <summary>The old member's value cannot be converted to the target member's type.</summary>
    TypeMismatch,

    /// <summary>The old state has the member only as a non-public field (read it explicitly, or map leniently).</summary>
    NonPublicMember,

    /// <summary>The old state references itself: a neutral term cannot hold a cycle.</summary>
    Cycle,

    /// <summary>The old state is nested deeper than <see cref="StateTerm.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>The old state has more than <see cref="StateTerm.MaxObjects"/> objects.</summary>
    TooLarge,

    /// <summary>
    /// An object of a type that cannot be copied (neither a module type nor a collection) holds objects of the old
    /// version: moving it to the new version would keep the old one loaded.
    /// </summary>
    OldVersionObject,

    /// <summary>The target type cannot be created from a state term.</summary>
    NotConstructible,
}
