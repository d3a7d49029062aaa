using Otp.Net.GenServers;

namespace Otp.Net.Tests.GenServers.Typed;

// A user's contract types, as an application would declare them: each call names its reply type.

/// <summary>Adds to an account; replies with the new balance.</summary>
public sealed record Deposit(string Account, decimal Amount) : ICall<decimal>;

/// <summary>The balance of an account.</summary>
public sealed record GetBalance(string Account) : ICall<decimal>;

/// <summary>The owner of an account, or null when it has none.</summary>
public sealed record GetOwner(string Account) : ICall<string?>;

/// <summary>A call the (buggy) server answers with a string instead of a decimal.</summary>
public sealed record GetBalanceText(string Account) : ICall<decimal>;

/// <summary>A call the (buggy) server answers with null instead of a decimal.</summary>
public sealed record GetNothing : ICall<decimal>;

/// <summary>A call answered later, from a cast (<see cref="ReleaseAudit"/>): a deferred reply.</summary>
public sealed record Audit(string Account) : ICall<AuditReport>;

/// <summary>Answers the pending <see cref="Audit"/>.</summary>
public sealed record ReleaseAudit(bool WithWrongType);

/// <summary>The reply to <see cref="Audit"/>.</summary>
public sealed record AuditReport(string Account, decimal Balance);

/// <summary>Keeps the server busy until the gate opens.</summary>
public sealed record Hold(TaskCompletionSource Gate) : ICall<string>;

/// <summary>Crashes the server while it handles the call.</summary>
public sealed record Explode(string Why) : ICall<decimal>;

/// <summary>The bank's state.</summary>
public sealed record BankState(System.Collections.Immutable.ImmutableDictionary<string, decimal> Balances, (From From, Audit Request)? PendingAudit = null)
{
    /// <summary>An empty bank.</summary>
    public static BankState Empty { get; } = new(System.Collections.Immutable.ImmutableDictionary<string, decimal>.Empty);

    /// <summary>The balance of <paramref name="account"/> (0 when unknown).</summary>
    public decimal Of(string account) => Balances.GetValueOrDefault(account);
}
