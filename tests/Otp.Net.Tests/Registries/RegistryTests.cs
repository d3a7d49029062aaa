using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Registries;
using Otp.Net.Supervision;
using Otp.Net.Sys;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Registries;

/// <summary>Elixir's Registry (D4): unique and duplicate keys, dispatch, removal when an owner dies.</summary>
public sealed class RegistryTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    private sealed record Room(string Name);

    private sealed record Member(string Nick, int Level);

    private sealed record Chat(string Text);

    /// <summary>Work for a <see cref="Worker"/> process to run as itself.</summary>
    private sealed record Do(Func<ProcessContext, object?> Work, TaskCompletionSource<object?> Done);

    /// <summary>Starts a process that runs the <see cref="Do"/> work it is sent, and reports other messages to <paramref name="inbox"/>.</summary>
    private Pid Worker(Action<object>? inbox = null) => _node.Spawn(async ctx =>
    {
        while (true)
        {
            var m = await ctx.ReceiveAsync();
            if (m is Do d)
            {
                try
                {
                    d.Done.TrySetResult(d.Work(ctx));
                }
                catch (Exception ex)
                {
                    d.Done.TrySetException(ex);
                }
            }
            else inbox?.Invoke(m);
        }
    });

    /// <summary>Runs <paramref name="work"/> inside <paramref name="pid"/> and returns its result.</summary>
    private async Task<T> In<T>(Pid pid, Func<ProcessContext, T> work)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _node.Send(pid, new Do(ctx => work(ctx), done));
        return (T)(await done.Task.Within())!;
    }

    private async Task<ServerRef> StartRegistryAsync(RegistryKeys keys, string name)
    {
        (await Registry.StartLinkAsync(_node, new RegistryOptions(keys) { Name = name })).GetPidOrThrow();
        return ServerRef.Named(_node, name);
    }

    /// <summary>Returns once the registry has handled every exit signal already sent to it (a sys request queues behind them).</summary>
    private static Task SyncAsync(ServerRef registry) => SysOps.GetStateAsync(registry).Within();

    [Fact] // D4
    public async Task Register_UniqueKeyHeldByALiveProcess_ReturnsAlreadyRegisteredWithTheHolder()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        var bob = Worker();

        var first = await In(alice, _ => Registry.Register(rooms, new Room("lobby"), new Member("alice", 3)));
        var again = await In(alice, _ => Registry.Register(rooms, new Room("lobby"), new Member("alice", 4)));
        var other = await In(bob, _ => Registry.Register(rooms, new Room("lobby"), new Member("bob", 1)));

        first.IsOk.Should().BeTrue();
        first.Owner.Should().Be(_node.WhereIs("rooms"));
        first.ToString().Should().Be($"{{ok,{first.Owner}}}");
        again.IsOk.Should().BeFalse();
        again.AlreadyRegistered.Should().Be(alice);
        other.ToString().Should().Be($"{{error,{{already_registered,{alice}}}}}");
        Registry.Lookup(rooms, new Room("lobby")).Should().Equal(new RegistryEntry(alice, new Member("alice", 3)));
        // The loser holds nothing, so it is not left linked to the registry.
        _node.GetProcessInfo(bob)!.Links.Should().BeEmpty();
        _node.GetProcessInfo(alice)!.Links.Should().Equal(first.Owner);
    }

    [Fact] // D4
    public async Task Register_UniqueKeys_LookupKeysValuesCountAndMatch()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        await In(alice, _ => Registry.Register(rooms, new Room("lobby"), new Member("alice", 3)));
        await In(alice, _ => Registry.Register(rooms, new Room("den"), new Member("alice", 7)));

        Registry.Count(rooms).Should().Be(2);
        Registry.Keys(rooms, alice).Should().BeEquivalentTo(new object[] { new Room("lobby"), new Room("den") });
        Registry.Values(rooms, new Room("den"), alice).Should().Equal(new Member("alice", 7));
        Registry.Lookup(rooms, new Room("nowhere")).Should().BeEmpty();
        Registry.Match(rooms, new Room("den"), v => v is Member { Level: > 5 }).Should().ContainSingle();
        Registry.Match(rooms, new Room("lobby"), v => v is Member { Level: > 5 }).Should().BeEmpty();
        Registry.Via(rooms, new Room("den")).WhereIs().Should().Be(alice);
    }

    [Fact] // D4
    public async Task Register_DuplicateKeys_EveryRegistrationIsAnEntry_DispatchReachesThemAll()
    {
        var topics = await StartRegistryAsync(RegistryKeys.Duplicate, "topics");
        var received = new List<TaskCompletionSource<object>>();
        var subscribers = new List<Pid>();
        for (var i = 0; i < 3; i++)
        {
            var got = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            received.Add(got);
            var pid = Worker(m => got.TrySetResult(m));
            subscribers.Add(pid);
            (await In(pid, _ => Registry.Register(topics, "news", new Member($"s{i}", i)))).IsOk.Should().BeTrue();
        }
        // One process may register the same key again in a duplicate registry.
        (await In(subscribers[0], _ => Registry.Register(topics, "news", new Member("s0-again", 9)))).IsOk.Should().BeTrue();

        Registry.Lookup(topics, "news").Select(e => e.Pid).Should().Equal(subscribers[0], subscribers[1], subscribers[2], subscribers[0]);
        Registry.Keys(topics, subscribers[0]).Should().Equal("news", "news");
        Registry.Count(topics).Should().Be(4);

        var calls = 0;
        Registry.Dispatch(topics, "news", entries =>
        {
            calls++;
            foreach (var e in entries.DistinctBy(e => e.Pid)) _node.Send(e.Pid, new Chat("hello"));
        });
        Registry.Dispatch(topics, "sports", _ => calls += 100);

        calls.Should().Be(1, "dispatch calls back once with the entries, and never for a key without any");
        foreach (var got in received) (await got.Task.Within()).Should().Be(new Chat("hello"));
        FluentActions.Invoking(() => Registry.UpdateValue(topics, "news", v => v)).Should().Throw<InvalidOperationException>("update_value needs unique keys");
    }

    [Fact] // D4
    public async Task Unregister_RemovesTheCallersEntries_AndUnlinksAProcessLeftWithNone()
    {
        var topics = await StartRegistryAsync(RegistryKeys.Duplicate, "topics");
        var alice = Worker();
        var bob = Worker();
        await In(alice, _ => Registry.Register(topics, "news", 1));
        await In(alice, _ => Registry.Register(topics, "news", 2));
        await In(alice, _ => Registry.Register(topics, "sports", 3));
        await In(bob, _ => Registry.Register(topics, "news", 4));

        await In(alice, _ =>
        {
            Registry.Unregister(topics, "news");
            return 0;
        });

        Registry.Lookup(topics, "news").Should().Equal(new RegistryEntry(bob, 4));
        _node.GetProcessInfo(alice)!.Links.Should().ContainSingle("alice still holds sports");
        await In(alice, _ =>
        {
            Registry.Unregister(topics, "sports");
            Registry.Unregister(topics, "never-registered");
            return 0;
        });
        _node.GetProcessInfo(alice)!.Links.Should().BeEmpty();
        Registry.Keys(topics, alice).Should().BeEmpty();
    }

    [Fact] // D4
    public async Task OwnerDies_ItsEntriesAreRemoved_AfterTheRegistryHandlesItsExit()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        await In(alice, _ => Registry.Register(rooms, new Room("lobby"), "alice"));
        await In(alice, _ => Registry.Register(rooms, new Room("den"), "alice"));

        _node.Exit(alice, R("boom"));
        await _node.ExitOf(alice);
        await SyncAsync(rooms);

        Registry.Lookup(rooms, new Room("lobby")).Should().BeEmpty();
        Registry.Keys(rooms, alice).Should().BeEmpty();
        Registry.Count(rooms).Should().Be(0);
        _node.IsAlive(_node.WhereIs("rooms")!.Value).Should().BeTrue("the registry traps its owners' exits");
    }

    [Fact] // D4
    public async Task OwnerDies_BeforeRemoval_LookupStillListsIt_ButViaSkipsIt_AndTheKeyIsFree()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        var bob = Worker();
        await In(alice, _ => Registry.Register(rooms, new Room("lobby"), "alice"));
        // A suspended registry handles no exit signal: the dead owner's entry stays for now.
        await SysOps.SuspendAsync(rooms).Within();

        _node.Exit(alice, ExitReason.Kill);
        await _node.ExitOf(alice);

        Registry.Lookup(rooms, new Room("lobby")).Should().Equal(new RegistryEntry(alice, "alice"));
        Registry.Via(rooms, new Room("lobby")).WhereIs().Should().BeNull();
        var taken = await In(bob, _ => Registry.Register(rooms, new Room("lobby"), "bob"));
        taken.IsOk.Should().BeTrue("a dead holder does not keep the key");
        Registry.Lookup(rooms, new Room("lobby")).Should().Equal(new RegistryEntry(bob, "bob"));

        await SysOps.ResumeAsync(rooms).Within();
        await SyncAsync(rooms);
        // The late removal takes only the dead owner's entries.
        Registry.Lookup(rooms, new Room("lobby")).Should().Equal(new RegistryEntry(bob, "bob"));
    }

    [Fact] // D4
    public async Task UpdateValue_ChangesOnlyTheCallersOwnEntry()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        var bob = Worker();
        await In(alice, _ => Registry.Register(rooms, new Room("lobby"), new Member("alice", 1)));

        var updated = await In(alice, _ => Registry.UpdateValue(rooms, new Room("lobby"), v => ((Member)v!) with { Level = 2 }));
        var notMine = await In(bob, _ => (object?)Registry.UpdateValue(rooms, new Room("lobby"), v => null));

        updated.Should().Be(((object?)new Member("alice", 2), (object?)new Member("alice", 1)));
        notMine.Should().BeNull();
        Registry.Lookup(rooms, new Room("lobby")).Single().Value.Should().Be(new Member("alice", 2));
    }

    [Fact] // D4
    public async Task RegistryStops_RegisteredProcessesGetItsExitSignal()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var alice = Worker();
        await In(alice, _ => Registry.Register(rooms, new Room("lobby"), null));

        await GenServer.StopAsync(rooms, ExitReason.Shutdown).Within();

        (await _node.ExitOf(alice)).Should().Be(ExitReason.Shutdown);
        FluentActions.Invoking(() => Registry.Lookup(rooms, new Room("lobby"))).Should().Throw<UnknownRegistryException>().Which.Registry.Should().Be("rooms");
    }

    [Fact]
    public async Task BadInput_GivesTypedErrors_AndChangesNothing()
    {
        var rooms = await StartRegistryAsync(RegistryKeys.Unique, "rooms");
        var notARegistry = Worker();
        var alice = Worker();

        FluentActions.Invoking(() => Registry.Register(rooms, "k", 1)).Should().Throw<InvalidOperationException>("register needs a calling process");
        FluentActions.Invoking(() => Registry.Unregister(rooms, "k")).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => Registry.Lookup(ServerRef.Named(_node, "nope"), "k")).Should().Throw<UnknownRegistryException>();
        FluentActions.Invoking(() => Registry.Count(notARegistry)).Should().Throw<UnknownRegistryException>();
        FluentActions.Invoking(() => Registry.Lookup(rooms, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Registry.Dispatch(rooms, "k", null!)).Should().Throw<ArgumentNullException>();
        await FluentActions.Awaiting(() => In(alice, _ => Registry.Register(notARegistry, "k", 1))).Should().ThrowAsync<UnknownRegistryException>();
        FluentActions.Invoking(() => { _ = Registry.StartLinkAsync(_node, new RegistryOptions((RegistryKeys)7)); }).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Registry.ChildSpec(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Registry.ChildSpec(new RegistryOptions(RegistryKeys.Unique) { Name = "" })).Should().Throw<ArgumentException>();

        Registry.Count(rooms).Should().Be(0);
        _node.GetProcessInfo(alice)!.Links.Should().BeEmpty();
        _node.IsAlive(alice).Should().BeTrue();
    }

    [Fact]
    public async Task ChildSpec_StartsTheRegistryUnderASupervisor()
    {
        var spec = Registry.ChildSpec(new RegistryOptions(RegistryKeys.Duplicate) { Name = "topics" });
        spec.Id.Should().Be((ChildId)"topics");
        Registry.ChildSpec(new RegistryOptions(RegistryKeys.Unique)).Id.Should().Be((ChildId)"Registry");

        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [spec])).GetPidOrThrow();

        var children = await Supervisor.WhichChildrenAsync(sup).Within();
        children.Single().Pid.Should().Be(_node.WhereIs("topics"));
        Registry.Count(ServerRef.Named(_node, "topics")).Should().Be(0);
    }
}
