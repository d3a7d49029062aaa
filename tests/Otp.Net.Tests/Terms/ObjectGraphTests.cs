using System.Runtime.Loader;
using Otp.Net.Terms;
using Otp.Net.Tests.Releases;

namespace Otp.Net.Tests.Terms;

/// <summary>What counts as a state holding objects of a module version (the check before a process changes version).</summary>
public sealed class ObjectGraphTests
{
    private sealed record Connection(object? Data, CancellationToken Token);

    [Fact]
    public void ATokenInTheState_DoesNotReachWhatOthersRegisteredOnIt()
    {
        // A socket read pending on the process's token puts the process's own waits in the token's registrations; they
        // reach the runtime and the old module instance, but they are not the state's (a soft update of a connection
        // server failed with "the new state still holds objects of the old version" depending on timing).
        var context = new AssemblyLoadContext("object-graph-test", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(ShopReleases.Dll("Counter.V1", "Counter"));
            var oldModule = Activator.CreateInstance(assembly.GetType("Fixtures.Counter.Counter", throwOnError: true)!)!;
            using var source = new CancellationTokenSource();
            using var registration = source.Token.Register(static o => GC.KeepAlive(o), oldModule);

            ObjectGraph.Reaches(new Connection(null, source.Token), context, out var what).Should().Be(ObjectGraph.Found.None, what);
            ObjectGraph.Reaches(new Connection(oldModule, source.Token), context, out what).Should().Be(ObjectGraph.Found.Yes); // the state's own data still counts
            what.Should().Be("Fixtures.Counter.Counter");
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed record Pending(object? Data, CancellationTokenRegistration Registration);

    [Fact]
    public void ARegistrationInTheState_DoesNotReachTheTokensOtherRegistrations()
    {
        // A pending read's registration, held by the state, links to the other callbacks registered on the same token:
        // the process's own waits, which reach the old module instance while they are pending (timing-dependent).
        var context = new AssemblyLoadContext("object-graph-registration-test", isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(ShopReleases.Dll("Counter.V1", "Counter"));
            var oldModule = Activator.CreateInstance(assembly.GetType("Fixtures.Counter.Counter", throwOnError: true)!)!;
            using var source = new CancellationTokenSource();
            using var theirs = source.Token.Register(static o => GC.KeepAlive(o), oldModule);
            using var ours = source.Token.Register(static () => { });

            ObjectGraph.Reaches(new Pending(null, ours), context, out var what).Should().Be(ObjectGraph.Found.None, what);
            ObjectGraph.Reaches(new Pending(oldModule, ours), context, out _).Should().Be(ObjectGraph.Found.Yes);
        }
        finally
        {
            context.Unload();
        }
    }

    private sealed record Wire(System.Net.Sockets.Socket Socket);

    [Fact]
    public async Task ASocketInTheState_IsAHandle_ItsPendingOperationsAreNotWalked()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync((System.Net.IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        using var stop = new CancellationTokenSource();
        var pending = server.ReceiveAsync(new byte[16], System.Net.Sockets.SocketFlags.None, stop.Token).AsTask(); // a read in flight
        ObjectGraph.Reaches(new Wire(server), null, out var what, budget: 20).Should().Be(ObjectGraph.Found.None, what);
        await stop.CancelAsync();
        await FluentActions.Awaiting(() => pending).Should().ThrowAsync<OperationCanceledException>();
    }
}
