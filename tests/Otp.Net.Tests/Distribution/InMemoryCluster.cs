using Otp.Net.Distribution;
using Otp.Net.Processes;
using Otp.Net.TestKit;

namespace Otp.Net.Tests.Distribution;

/// <summary>Nodes of one program on an in-memory network, connected before a test starts.</summary>
public sealed class InMemoryCluster : IAsyncDisposable
{
    private readonly Dictionary<string, (TestNode Test, Cluster Cluster)> _nodes = new(StringComparer.Ordinal);
    private readonly Action<DistributionOptions>? _configure;

    private InMemoryCluster(Action<DistributionOptions>? configure) => _configure = configure;

    public InMemoryNetwork Network { get; } = new();

    public static async Task<InMemoryCluster> StartAsync(int count = 2, Action<DistributionOptions>? configure = null)
    {
        var cluster = new InMemoryCluster(configure);
        for (var i = 0; i < count; i++) await cluster.StartNodeAsync(NameOf(i));
        await cluster.WaitConnectedAsync();
        return cluster;
    }

    public static string NameOf(int i) => $"{(char)('a' + i)}@test";

    public Node this[int i] => _nodes[NameOf(i)].Test.Node;

    public TestNode Test(int i) => _nodes[NameOf(i)].Test;

    public Cluster Cluster(int i) => _nodes[NameOf(i)].Cluster;

    public TestProbe Probe(int i, bool trapExit = true) => Test(i).CreateProbe(trapExit: trapExit);

    /// <summary>
    /// <paramref name="pid"/> as node <paramref name="i"/> knows it. The nodes share one program, so a pid handed from
    /// one to another in a test must be converted, as the wire would: otherwise it is the other node's local object.
    /// </summary>
    public Pid PidAt(int i, Pid pid)
    {
        var owner = pid.Process?.Node ?? throw new InvalidOperationException("a pid of a node of this cluster was expected");
        return Cluster(i).PidOf(owner.Identity, pid.Id);
    }

    public async Task<Cluster> StartNodeAsync(string name, Action<DistributionOptions>? extra = null)
    {
        var test = new TestNode();
        var options = new DistributionOptions { NodeName = name };
        options.Messages.Allow(typeof(Ping), typeof(Pong), typeof(Get), typeof(Put), typeof(Nested), typeof(Slow));
        _configure?.Invoke(options);
        extra?.Invoke(options);
        var cluster = await Otp.Net.Distribution.Cluster.StartAsync(test.Node, options, Network.CreateCarrier());
        _nodes[name] = (test, cluster);
        return cluster;
    }

    /// <summary>Kills node <paramref name="i"/> as SIGKILL would: the others see it go down; its processes are killed.</summary>
    public async Task CrashAsync(int i)
    {
        var name = NameOf(i);
        Network.Crash(name);
        var (test, cluster) = _nodes[name];
        _nodes.Remove(name);
        await cluster.DisposeAsync();
        await test.DisposeAsync();
    }

    /// <summary>Waits until every node sees every other (on their events, not on a clock; 10 s at most).</summary>
    public async Task WaitConnectedAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var (name, (_, cluster)) in _nodes)
        {
            var others = _nodes.Keys.Where(n => n != name).ToHashSet();
            while (!others.IsSubsetOf(cluster.Nodes))
            {
                var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                void OnUp(NodeIdentity _) => changed.TrySetResult();
                cluster.NodeConnected += OnUp;
                try
                {
                    if (others.IsSubsetOf(cluster.Nodes)) break;
                    await changed.Task.WaitAsync(cts.Token);
                }
                finally
                {
                    cluster.NodeConnected -= OnUp;
                }
            }
        }
    }

    /// <summary>Waits until <paramref name="i"/> no longer sees <paramref name="node"/>.</summary>
    public async Task WaitDisconnectedAsync(int i, string node)
    {
        var cluster = Cluster(i);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (cluster.Nodes.Contains(node))
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnDown(NodeIdentity _) => changed.TrySetResult();
            cluster.NodeDisconnected += OnDown;
            try
            {
                if (!cluster.Nodes.Contains(node)) break;
                await changed.Task.WaitAsync(cts.Token);
            }
            finally
            {
                cluster.NodeDisconnected -= OnDown;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds: for what a node does on its own after an event the test saw
    /// (a name released after an exit). Checked again at each turn; 10 s at most.
    /// </summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within 10 s: {what}");
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (test, cluster) in _nodes.Values)
        {
            await cluster.DisposeAsync();
            await test.DisposeAsync();
        }
        _nodes.Clear();
    }
}
