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
}
