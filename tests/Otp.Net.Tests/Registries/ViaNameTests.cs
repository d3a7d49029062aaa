using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Registries;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Registries;

/// <summary>Via-names through a Registry (D4): start, call, cast, stop, conflicts, supervised restarts.</summary>
public sealed class ViaNameTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private sealed record AccountId(string Iban);

    private sealed record Account(AccountId Id, decimal Balance);

    private sealed record Deposit(decimal Amount);

    private sealed record Balance;

    private sealed record Crash;

    /// <summary>One server per bank account, named by the account's id in a registry.</summary>
    private sealed class AccountServer : GenServer<Account>
    {
        public override ValueTask<InitResult<Account>> InitAsync(object? args, CancellationToken cancellationToken) =>
            args is AccountId id ? new(Ok(new Account(id, 0m))) : new(StopInit(R("no_account_id")));

        public override ValueTask<ServerResult<Account>> HandleCallAsync(object request, From from, Account state, CancellationToken cancellationToken) => request switch
        {
            Balance => new(Reply(state.Balance, state)),
            Crash => throw new InvalidOperationException("ledger corrupted"),
            _ => base.HandleCallAsync(request, from, state, cancellationToken),
        };

        public override ValueTask<ServerResult<Account>> HandleCastAsync(object request, Account state, CancellationToken cancellationToken) => request switch
        {
            Deposit d => new(NoReply(state with { Balance = state.Balance + d.Amount })),
            _ => base.HandleCastAsync(request, state, cancellationToken),
        };
    }

    private async Task<ServerRef> StartRegistryAsync(RegistryKeys keys = RegistryKeys.Unique, string name = "accounts")
    {
        (await Registry.StartLinkAsync(_node, new RegistryOptions(keys) { Name = name })).GetPidOrThrow();
        return ServerRef.Named(_node, name);
    }

    private Task<StartResult> StartAccountAsync(ViaName name, AccountId id) =>
        GenServer.StartAsync(_node, new AccountServer(), id, new GenServerOptions { Name = name });

    [Fact] // D4
    public async Task ViaName_StartCallCastStop_AllResolveThroughTheRegistry()
    {
        var accounts = await StartRegistryAsync();
        var id = new AccountId("DE01");
        var via = Registry.Via(accounts, id, "opened-today");

        var pid = (await StartAccountAsync(via, id)).GetPidOrThrow();

        Registry.Lookup(accounts, id).Should().Equal(new RegistryEntry(pid, "opened-today"));
        via.WhereIs().Should().Be(pid);
        GenServer.Cast(via, new Deposit(40m));
        GenServer.Cast(ServerRef.Via(via), new Deposit(2m));
        (await GenServer.CallAsync<decimal>(via, new Balance()).Within()).Should().Be(42m);
        ((Account)(await SysOps.GetStateAsync(via).Within())!).Balance.Should().Be(42m);
        ServerRef.Via(via).ToString().Should().Be("{via,'Elixir.Registry',{accounts,{DE01},\"opened-today\"}}".Replace("{DE01}", TermFormatter.Format(id)));

        await GenServer.StopAsync(via).Within();
        _node.IsAlive(pid).Should().BeFalse();
        var call = await FluentActions.Awaiting(() => GenServer.CallAsync(via, new Balance())).Should().ThrowAsync<CallException>();
        call.Which.CallReason.Should().Be(ExitReason.NoProc);
        await FluentActions.Awaiting(() => GenServer.StopAsync(via)).Should().ThrowAsync<CallException>();
    }

    [Fact] // D4
    public async Task ViaName_Taken_StartGivesAlreadyStartedWithTheHolder_AndTheLoserExitsNormal()
    {
        var accounts = await StartRegistryAsync();
        var id = new AccountId("DE02");
        var via = Registry.Via(accounts, id);
        var first = (await StartAccountAsync(via, id)).GetPidOrThrow();
        var processes = _node.ProcessCount;

        var second = await StartAccountAsync(via, id);

        second.Outcome.Should().Be(StartOutcome.Error);
        second.Pid.Should().Be(first);
        second.Error.Should().Be(ExitReason.Of(TermTuple.Of(Atom.Of("already_started"), first)));
        _node.ProcessCount.Should().Be(processes);
        Registry.Lookup(accounts, id).Should().Equal(new RegistryEntry(first, null));
    }

    [Fact] // D4
    public async Task ViaName_HolderDiedButNotYetRemoved_CallsGetNoProc_AndANewServerTakesTheName()
    {
        var accounts = await StartRegistryAsync();
        var id = new AccountId("DE03");
        var via = Registry.Via(accounts, id);
        var first = (await StartAccountAsync(via, id)).GetPidOrThrow();
        await SysOps.SuspendAsync(accounts).Within(); // the registry will not remove the dead holder for now

        _node.Exit(first, ExitReason.Kill);
        await _node.ExitOf(first);

        Registry.Lookup(accounts, id).Select(e => e.Pid).Should().Equal(first);
        (await FluentActions.Awaiting(() => GenServer.CallAsync(via, new Balance())).Should().ThrowAsync<CallException>()).Which.CallReason.Should().Be(ExitReason.NoProc);
        var second = (await StartAccountAsync(via, id)).GetPidOrThrow();
        (await GenServer.CallAsync<decimal>(via, new Balance()).Within()).Should().Be(0m);
        via.WhereIs().Should().Be(second);
        await SysOps.ResumeAsync(accounts).Within();
    }

    [Fact] // D4, U4
    public async Task ChildSpecWithViaName_RestartedBySupervisor_ReRegistersUnderTheSameName()
    {
        var id = new AccountId("DE04");
        var accounts = ServerRef.Named(_node, "accounts");
        var via = Registry.Via(accounts, id);
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags { Strategy = Strategy.RestForOne, Intensity = 5 },
        [
            Registry.ChildSpec(new RegistryOptions(RegistryKeys.Unique) { Name = "accounts" }),
            ChildSpec.ForGenServer(Atom.Of("account"), () => new AccountServer(), id, new GenServerOptions { Name = via }),
        ])).GetPidOrThrow();
        var first = via.WhereIs()!.Value;
        GenServer.Cast(via, new Deposit(10m));
        (await GenServer.CallAsync<decimal>(via, new Balance()).Within()).Should().Be(10m);

        await FluentActions.Awaiting(() => GenServer.CallAsync(via, new Crash())).Should().ThrowAsync<CallException>();
        await _node.ExitOf(first);

        // The supervisor has handled the crash (and restarted the child) before it answers this.
        var children = await Supervisor.WhichChildrenAsync(sup).Within();
        var second = children.Single(c => c.Id == "account").Pid;
        second.Should().NotBe(first);
        via.WhereIs().Should().Be(second);
        (await GenServer.CallAsync<decimal>(via, new Balance()).Within()).Should().Be(0m, "a restarted server starts fresh");
        Registry.Lookup(accounts, id).Select(e => e.Pid).Should().NotContain(first).And.Contain(second);
    }

    [Fact] // D4
    public async Task SupervisorAndDynamicSupervisor_CanBeNamedByVia()
    {
        var names = await StartRegistryAsync(name: "names");
        var supName = Registry.Via(names, "payments_sup");
        (await DynamicSupervisor.StartLinkAsync(_node, null, new GenServerOptions { Name = supName })).GetPidOrThrow();

        var child = (await DynamicSupervisor.StartChildAsync(supName, ChildSpec.ForGenServer("a", () => new AccountServer(), new AccountId("DE05")))).GetPidOrThrow();

        (await DynamicSupervisor.WhichChildrenAsync(supName).Within()).Single().Pid.Should().Be(child);
    }

    [Fact]
    public async Task ViaName_BadRegistry_StartFailsWithATypedReason_AndLeavesNothingRunning()
    {
        var topics = await StartRegistryAsync(RegistryKeys.Duplicate, "topics");
        var processes = _node.ProcessCount;

        var noRegistry = await StartAccountAsync(Registry.Via(ServerRef.Named(_node, "missing"), "k"), new AccountId("X"));
        var duplicate = await StartAccountAsync(Registry.Via(topics, "k"), new AccountId("X"));

        noRegistry.Error!.Exception!.Type.Should().Be(typeof(UnknownRegistryException).FullName);
        duplicate.Error!.Exception!.Type.Should().Be(typeof(InvalidOperationException).FullName);
        duplicate.Error.Exception.Message.Should().Contain("unique keys");
        _node.ProcessCount.Should().Be(processes);
        Registry.Count(topics).Should().Be(0);
        FluentActions.Invoking(() => GenServer.Cast(Registry.Via(topics, "k"), new Deposit(1m))).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task ViaName_InitFails_StartGivesTheInitError()
    {
        var accounts = await StartRegistryAsync();
        var via = Registry.Via(accounts, "broken");

        var result = await GenServer.StartAsync(_node, new AccountServer(), "not an id", new GenServerOptions { Name = via });

        result.Error.Should().Be(R("no_account_id"));
        via.WhereIs().Should().BeNull();
    }

    [Fact]
    public async Task RegistryVia_RegisteringAnotherProcess_IsRefused()
    {
        var accounts = await StartRegistryAsync();
        var via = Registry.Via(accounts, "k");
        var other = _node.SpawnIdle();

        var refused = await _node.RunAsync(ctx => Task.FromResult(
            FluentActions.Invoking(() => via.Registry.RegisterName(via.Name, other)).Should().Throw<InvalidOperationException>().Which));

        refused.Message.Should().Contain("itself");
        Registry.Count(accounts).Should().Be(0);
    }

    [Fact]
    public void ServerName_ConvertsFromStringsAndViaNames()
    {
        ServerName? none = (string?)null;
        none.Should().BeNull();
        ServerName local = "payments";
        local.Local.Should().Be("payments");
        local.Via.Should().BeNull();
        var via = Registry.Via(ServerRef.Named(_node, "accounts"), 1);
        ServerName named = via;
        named.Via.Should().Be(Registry.Via(ServerRef.Named(_node, "accounts"), 1L), "keys compare as terms");
        named.Should().Be(ServerName.Of(via));
        FluentActions.Invoking(() => ServerName.Of("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new ViaName(null!, "k")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ServerRef.Via(null!)).Should().Throw<ArgumentNullException>();
    }
}
