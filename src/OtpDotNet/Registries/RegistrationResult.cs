using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Registries;

/// <summary>
/// The result of <see cref="Registry.Register"/> (D4): <c>{ok, Owner}</c>, where the owner is the registry process the
/// caller is now linked to, or <c>{error, {already_registered, Pid}}</c> for a unique key held by a live process.
/// </summary>
public sealed class RegistrationResult : ITermConvertible
{
    private RegistrationResult(Pid owner, Pid holder)
    {
        Owner = owner;
        AlreadyRegistered = holder;
    }

    /// <summary>True for <c>{ok, Owner}</c>.</summary>
    public bool IsOk => AlreadyRegistered.IsUndefined;

    /// <summary>The registry process (for <c>{ok, Owner}</c>).</summary>
    public Pid Owner { get; }

    /// <summary>The process that holds the key (for <c>{error, {already_registered, Pid}}</c>); undefined when ok.</summary>
    public Pid AlreadyRegistered { get; }

    internal static RegistrationResult Ok(Pid owner) => new(owner, default);

    internal static RegistrationResult Taken(Pid holder) => new(default, holder);

    /// <inheritdoc />
    public object ToTerm() => IsOk
        ? TermTuple.Of(Atom.Of("ok"), Owner)
        : TermTuple.Of(Atom.Of("error"), TermTuple.Of(Atom.Of("already_registered"), AlreadyRegistered));

    /// <inheritdoc />
    public override string ToString() => TermFormatter.Format(this);
}
