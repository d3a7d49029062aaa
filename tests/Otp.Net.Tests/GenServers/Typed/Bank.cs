using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests.GenServers.Typed;

/// <summary>A bank server written as a user would write it: typed replies where the contract declares them.</summary>
public sealed class Bank : GenServer<BankState>
{
    public override ValueTask<InitResult<BankState>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(BankState.Empty);

    public override async ValueTask<ServerResult<BankState>> HandleCallAsync(object request, From from, BankState state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Deposit d:
                var next = state with { Balances = state.Balances.SetItem(d.Account, state.Of(d.Account) + d.Amount) };
                return Reply(d, next.Of(d.Account), next);
            case GetBalance q:
                return Reply(q, state.Of(q.Account), state);
            case GetOwner o:
                return Reply(o, o.Account == "a" ? "ada" : null, state);
            case GetBalanceText t:
                return Reply((object)$"{state.Of(t.Account)} EUR", state); // the untyped helper: not checked at compile time
            case GetNothing:
                return Reply(null, state);
            case Audit a:
                return NoReply(state with { PendingAudit = (from, a) });
            case Hold h:
                await h.Gate.Task;
                return Reply(h, "released", state);
            case Explode e:
                throw new InvalidOperationException(e.Why);
            case "untyped_balance":
                return Reply(state.Of("a"), state);
            default:
                return await base.HandleCallAsync(request, from, state, cancellationToken);
        }
    }

    public override ValueTask<ServerResult<BankState>> HandleCastAsync(object request, BankState state, CancellationToken cancellationToken)
    {
        if (request is ReleaseAudit release && state.PendingAudit is { } pending)
        {
            if (release.WithWrongType) GenServer.Reply(pending.From, 42);
            else GenServer.Reply(pending.From, pending.Request, new AuditReport(pending.Request.Account, state.Of(pending.Request.Account)));
            return NoReply(state with { PendingAudit = null });
        }
        return Stop(ExitReason.Of(TermTuple.Of(Atom.Of("bad_cast"), request)), state);
    }
}
