namespace Otp.Net.Terms;

/// <summary>How <see cref="StateTerm.As{T}(StateMapping)"/> maps an old state onto a type.</summary>
public enum StateMapping
{
    /// <summary>
    /// The default: every constructor parameter and public settable member of the target must have a public
    /// counterpart of a convertible type in the old state (a constructor parameter with a declared default may be
    /// absent); otherwise a <see cref="StateMigrationException"/> names the member.
    /// </summary>
    Strict,

    /// <summary>
    /// Opt-in: a missing member gets its default value, a member the old state has only as a non-public field is
    /// read from it, and numbers and strings convert loosely. Use it only when a silent default is what you want.
    /// </summary>
    Lenient,
}
