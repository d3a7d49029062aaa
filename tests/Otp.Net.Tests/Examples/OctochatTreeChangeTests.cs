using System.Net;
using System.Net.Sockets;
using Octochat;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Releases;
using Otp.Net.Supervision;
using Otp.Net.Sys;

namespace Otp.Net.Tests.Examples;

/// <summary>
/// Octochat across the original demo's change of supervision tree (commit 3bcdc01): 0.2.1's task supervisor of bare echo
/// loops becomes 0.3.0's <c>simple_one_for_one</c> supervisor of echo GenServers, in a live node with loopback clients.
/// The listener never closes; the connections of the version left end with their supervisor (OTP's shutdown, closed
/// cleanly); new connections are served by the new tree; from 0.3.0 on, connections stay through upgrades.
/// </summary>
[Collection(OctochatCollection.Name)]
public sealed class OctochatTreeChangeTests : IDisposable
{
    private static readonly TimeSpan Wait = OctochatClient.Wait;
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"octochat-tree-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(Node Node, int Port)> BootAsync(string version, params string[] unpacked)
    {
        var port = OctochatTests.FreePort();
        var node = new Node(new NodeOptions { ReleasesDirectory = Path.Combine(_work, "releases") });
        var packages = await OctochatReleases.PackAsync(OctochatTests.BuildDirectory, Path.Combine(_work, "packages"), port);
        foreach (var v in unpacked) await node.Releases.UnpackAsync(packages[v]);
        await node.Releases.BootAsync(version);
        return (node, port);
    }

    /// <summary>The top supervisor's children in start order (which_children lists them newest first, U12).</summary>
    private static async Task<(string Id, ChildType Type, Pid Pid)[]> TopChildrenAsync(Node node) =>
        (await Supervisor.WhichChildrenAsync(ServerRef.Named(node, "octochat_sup"))).Reverse().Select(c => (c.Id.ToString(), c.Type, c.Pid)).ToArray();

    /// <summary>The echo GenServer under <c>octochat_server_sup</c> that serves <paramref name="client"/>, found by its socket's remote port.</summary>
    private static async Task<Pid?> ServerOfAsync(Node node, OctochatClient client)
    {
        foreach (var child in await Supervisor.WhichChildrenAsync(ServerRef.Named(node, "octochat_server_sup")))
        {
            object? state;
            try
            {
                state = await SysOps.GetStateAsync(child.Pid);
            }
            catch (CallNoProcException)
            {
                continue; // a connection made (and closed) while the install ran, ended since
            }
            var socket = (Socket)state!.GetType().GetProperty("Socket")!.GetValue(state)!;
            if (((IPEndPoint)socket.RemoteEndPoint!).Port == client.LocalPort) return child.Pid;
        }
        return null;
    }

    private static string Line(int i) => $"hello {i:D2}";

    private static string Reversed(int i) => new(Line(i).Reverse().ToArray());

    [Fact] // R9, R11 (update_supervisor reconciled: new id started in its place, removed id stopped and deleted), U10/U11
    public async Task Octochat_021To030_TreeChanges_ListenerStaysOpen_OldConnectionsClosed_NewOnesOnGenServers_ThenOnTo032()
    {
        var (node, port) = await BootAsync("0.2.1", "0.2.1", "0.3.0", "0.3.2");
        await using var _ = node;
        var before = await TopChildrenAsync(node);
        before.Select(c => (c.Id, c.Type)).Should().Equal(("task_sup", ChildType.Supervisor), ("acceptor", ChildType.Worker));
        var acceptor = before[1].Pid;
        var acceptorExit = node.WaitForExitAsync(acceptor);

        var old = Enumerable.Range(0, 20).Select(_ => new OctochatClient(port)).ToArray();
        var fresh = new List<OctochatClient>();
        try
        {
            // 0.2.1: each line back as it came, from a bare loop per connection.
            for (var i = 0; i < old.Length; i++) (await old[i].SayAsync(Line(i), 9)).Should().Be(Line(i) + "\n");
            node.Code.ProcessesRunning("octochat_echo", "0.2.1").Should().HaveCount(old.Length);

            // The compiled script (R8, R9): the added supervisor's module is loaded before the top supervisor's children
            // are reconciled, and the deleted module is made old after it.
            var rehearsal = await node.Releases.CheckInstallAsync("0.3.0");
            rehearsal.IsOk.Should().BeTrue(string.Join("; ", rehearsal.Problems));
            rehearsal.Steps.Select(ReleaseSteps.Describe).Should().Equal(
                "load_object_code [octochat_server_sup, octochat_echo, octochat_sup]",
                "point_of_no_return",
                "load octochat_server_sup",
                "load octochat_echo",
                "suspend [octochat_sup]",
                "load octochat_sup",
                "code_change up octochat_sup",
                "resume [octochat_sup]",
                "supervisor_children octochat_sup",
                "remove octochat_task_sup",
                "config_change octochat"); // R4: the application's version changed

            var diff = rehearsal.Supervisors.Should().ContainSingle().Which;
            diff.Added.Should().Equal("server_sup");
            diff.Removed.Should().Equal("task_sup");
            diff.Kept.Should().Equal("acceptor");

            // Clients keep connecting while the install runs: none is refused (the listener never closes).
            using var installed = new CancellationTokenSource();
            var connecting = Task.Run(async () =>
            {
                var connected = 0;
                while (!installed.IsCancellationRequested && connected < 500)
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, port); // a refused connection throws and fails the test
                    connected++;
                }
                return connected;
            });
            // Half of the 0.2.1 clients are busy talking while the install runs (their loops mid-read or mid-write).
            var talking = old.Take(10).Select((c, i) => c.ChatUntilClosedAsync(Line(i), Line(i) + "\n")).ToArray();
            var up = await node.Releases.InstallAsync("0.3.0");
            await installed.CancelAsync();
            (await connecting).Should().BePositive();
            up.Journal.Should().Contain(j => j.Step is SupervisorChildrenStep && j.Detail.EndsWith("started [server_sup], removed [task_sup]", StringComparison.Ordinal));

            // R11 reconciled: the new child took the removed one's place, before the acceptor (rest_for_one: a new acceptor
            // needs it); the acceptor is the same process, with the same listening socket.
            var after = await TopChildrenAsync(node);
            after.Select(c => (c.Id, c.Type)).Should().Equal(("server_sup", ChildType.Supervisor), ("acceptor", ChildType.Worker));
            after[1].Pid.Should().Be(acceptor);
            acceptorExit.IsCompleted.Should().BeFalse();

            // The 0.2.1 connections ended with their task supervisor (shutdown, U10/U11): each client sees its connection
            // closed, with no byte after its last answer (the busy ones: never inside an answer); their loops' code and the
            // task supervisor's are unloaded.
            (await Task.WhenAll(talking)).Sum().Should().BePositive();
            for (var i = talking.Length; i < old.Length; i++) (await old[i].WaitClosedAsync()).Should().BeTrue($"client {i} sees its connection closed");
            node.Code.ProcessesRunning("octochat_echo", "0.2.1").Should().BeEmpty();
            (await node.Code.WaitForUnloadAsync("octochat_task_sup", Wait)).Should().BeTrue();

            // New connections: 0.3.0's echo GenServers under the new supervisor, each line back as it came.
            for (var i = 0; i < 20; i++) fresh.Add(new OctochatClient(port));
            for (var i = 0; i < fresh.Count; i++) (await fresh[i].SayAsync(Line(i), 9)).Should().Be(Line(i) + "\n");
            var servers = node.Code.ProcessesRunning("octochat_echo", "0.3.0");
            for (var i = 0; i < fresh.Count; i++)
            {
                var server = await ServerOfAsync(node, fresh[i]);
                server.Should().NotBeNull();
                servers.Should().Contain(server!.Value);
            }

            // 0.3.0 permanent, then on to 0.3.2: the clients connected since 0.3.0 stay, and get their lines reversed.
            await node.Releases.MakePermanentAsync("0.3.0");
            await node.Releases.InstallAsync("0.3.2");
            for (var i = 0; i < fresh.Count; i++) (await fresh[i].SayAsync(Line(i), 8)).Should().Be(Reversed(i));
            (await TopChildrenAsync(node)).Select(c => c.Pid).Should().Equal(after.Select(c => c.Pid));
            acceptorExit.IsCompleted.Should().BeFalse();
        }
        finally
        {
            foreach (var c in old.Concat(fresh)) c.Dispose();
        }
    }

    [Fact] // R8.4, R9, R11: 0.3.0's down section goes back to the task supervisor; 0.3.0's connections end with theirs
    public async Task Octochat_030To021_Downgrade_TaskSupervisorBack_ListenerStaysOpen_GenServerConnectionsClosed()
    {
        var (node, port) = await BootAsync("0.3.0", "0.2.1", "0.3.0");
        await using var _ = node;
        var before = await TopChildrenAsync(node);
        before.Select(c => (c.Id, c.Type)).Should().Equal(("server_sup", ChildType.Supervisor), ("acceptor", ChildType.Worker));
        var acceptorExit = node.WaitForExitAsync(before[1].Pid);

        var old = Enumerable.Range(0, 20).Select(_ => new OctochatClient(port)).ToArray();
        var fresh = new List<OctochatClient>();
        try
        {
            for (var i = 0; i < old.Length; i++) (await old[i].SayAsync(Line(i), 9)).Should().Be(Line(i) + "\n");
            node.Code.ProcessesRunning("octochat_echo", "0.3.0").Should().HaveCount(old.Length);

            var down = await node.Releases.InstallAsync("0.2.1");
            down.Journal.Should().Contain(j => j.Step is SupervisorChildrenStep && j.Detail.EndsWith("started [task_sup], removed [server_sup]", StringComparison.Ordinal));
            var after = await TopChildrenAsync(node);
            after.Select(c => (c.Id, c.Type)).Should().Equal(("task_sup", ChildType.Supervisor), ("acceptor", ChildType.Worker));
            after[1].Pid.Should().Be(before[1].Pid);
            acceptorExit.IsCompleted.Should().BeFalse();

            // The echo GenServers ended with their supervisor (not trapping: no TerminateAsync); their sockets closed with them.
            for (var i = 0; i < old.Length; i++) (await old[i].WaitClosedAsync()).Should().BeTrue($"client {i} sees its connection closed");
            (await node.Code.WaitForUnloadAsync("octochat_server_sup", Wait)).Should().BeTrue();

            for (var i = 0; i < 20; i++) fresh.Add(new OctochatClient(port));
            for (var i = 0; i < fresh.Count; i++) (await fresh[i].SayAsync(Line(i), 9)).Should().Be(Line(i) + "\n");
            node.Code.ProcessesRunning("octochat_echo", "0.2.1").Should().HaveCount(fresh.Count); // bare loops again
            node.Code.ProcessesRunning("octochat_echo", "0.3.0").Should().BeEmpty();
        }
        finally
        {
            foreach (var c in old.Concat(fresh)) c.Dispose();
        }
    }

    [Fact] // R11.3 with Reconcile, R6 done better: update_supervisor before the add_module of its new child's module
    public async Task Octochat_021To030_SupervisorBeforeItsNewChildsModule_FailsAtChildren_RolledBackTo021_ListenerOpen()
    {
        var (node, port) = await BootAsync("0.2.1", "0.2.1");
        await using var _ = node;
        var before = await TopChildrenAsync(node);
        var acceptorExit = node.WaitForExitAsync(before[1].Pid);
        var manifest = OctochatReleases.Manifest("0.3.0", port);
        AppupInstruction[] reordered = [new UpdateSupervisorInstruction("octochat_sup"), .. OctochatReleases.TreeChange(up: true).Where(i => i is not UpdateSupervisorInstruction)];
        var package = Path.Combine(_work, "octochat-0.3.0-reordered.zip");
        await ReleasePackage.CreateAsync(manifest with { Upgrades = [new RelupEntry("0.2.1") { Instructions = reordered }] }, OctochatTests.BuildDirectory, package);
        await node.Releases.UnpackAsync(package);
        using var client = new OctochatClient(port);
        (await client.SayAsync(Line(1), 9)).Should().Be(Line(1) + "\n");

        var error = (await node.Releases.Invoking(r => r.InstallAsync("0.3.0")).Should().ThrowAsync<ReleaseInstallException>()).Which;

        error.FailedStep.Should().BeOfType<SupervisorChildrenStep>();
        error.Reason.Should().Contain("start_child_failed").And.Contain("server_sup");
        error.UndoFailures.Should().BeEmpty(string.Join("\n", error.Journal));
        node.Releases.CurrentVersion.Should().Be("0.2.1");
        (await TopChildrenAsync(node)).Select(c => (c.Id, c.Type)).Should().Equal(("task_sup", ChildType.Supervisor), ("acceptor", ChildType.Worker));
        acceptorExit.IsCompleted.Should().BeFalse();
        // The task supervisor was stopped before the new child failed to start, and restarted from its Init by the
        // rollback: its connections are gone (the documented limit), new ones are served by 0.2.1 again.
        (await client.WaitClosedAsync()).Should().BeTrue();
        using var again = new OctochatClient(port);
        (await again.SayAsync(Line(2), 9)).Should().Be(Line(2) + "\n");
        node.Code.IsLoaded("octochat_server_sup").Should().BeFalse();
    }
}
