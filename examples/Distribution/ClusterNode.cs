using Otp.Net;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace DistributionExample;

/// <summary>One node of the example: a node on Akka.NET Cluster, with a control server the demo (and the tests) drive.</summary>
public static class ClusterNode
{
    public static async Task<(Node Node, Cluster Cluster)> StartAsync(string name, int port, IEnumerable<string> seeds, bool quiet = false)
    {
        var node = quiet ? new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance }) : new Node();
        var akka = new AkkaCarrierOptions
        {
            Port = port,
            // The demo narrates what happens; a node that dies makes Akka log the broken association at WARNING.
            AkkaLogLevel = quiet ? "OFF" : "WARNING",
            // A node that stops answering for 5 s is down (a loaded machine with four nodes on two cores needs the
            // slack); the split-brain resolver removes it 5 s later. Akka's defaults are 3 s and 20 s.
            StableAfter = TimeSpan.FromSeconds(5),
            AcceptableHeartbeatPause = TimeSpan.FromSeconds(5),
        };
        foreach (var seed in seeds) akka.Seeds.Add(seed);
        var cluster = await Cluster.StartAsync(node, new DistributionOptions { NodeName = name }, new AkkaCarrier(akka));
        await GenServer.StartAsync(node, new Control(cluster), options: new GenServerOptions { Name = "control" });
        return (node, cluster);
    }

    /// <summary>Serves the demo's requests on each node: tuples and strings only, so no type needs allowing.</summary>
    private sealed class Control(Cluster cluster) : GenServer<object?>
    {
        public override ValueTask<InitResult<object?>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(null);

        public override async ValueTask<ServerResult<object?>> HandleCallAsync(object request, From from, object? state, CancellationToken cancellationToken)
        {
            var node = cluster.Node;
            switch (request)
            {
                case "whoami":
                    return Reply(TermTuple.Of(cluster.Self.Name, cluster.Self.Creation), state);
                case "spawn_idle":
                    return Reply(node.Spawn(ctx => ctx.ReceiveAsync().AsTask()), state);
                case ("start_global_counter", string name):
                    {
                        var started = await GenServer.StartAsync(node, new Counter(cluster.Self.Name), options: new GenServerOptions { Name = cluster.Global.Via(name) }, cancellationToken: cancellationToken);
                        return Reply(started.IsOk ? started.Pid : Atom.Of("taken"), state);
                    }
                case ("call_global", string name, string what):
                    return Reply(await GenServer.CallAsync(cluster.Global.Via(name), what, cancellationToken: cancellationToken), state);
                case ("whereis_global", string name):
                    return Reply(cluster.Global.WhereIsName(name) is { } pid ? pid : Atom.Of("undefined"), state);
                case ("join", string group):
                    {
                        var member = node.Spawn(Member);
                        cluster.Groups.Join(group, member);
                        return Reply(member, state);
                    }
                default:
                    return Reply(Atom.Of("unknown_request"), state);
            }
        }

        /// <summary>A group member: answers <c>{ask, ReplyTo}</c> with <c>{Node, Self}</c>.</summary>
        private async Task Member(ProcessContext ctx)
        {
            while (true)
            {
                if (await ctx.ReceiveAsync() is TermTuple { Length: 2 } t && t[0] is Atom { Name: "ask" } && t[1] is Pid replyTo)
                {
                    ctx.Send(replyTo, TermTuple.Of(cluster.Self.Name, ctx.Self));
                }
            }
        }
    }

    /// <summary>The globally registered GenServer: counts the calls it gets, and says where it runs.</summary>
    private sealed class Counter(string home) : GenServer<long>
    {
        public override ValueTask<InitResult<long>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0L);

        public override ValueTask<ServerResult<long>> HandleCallAsync(object request, From from, long state, CancellationToken cancellationToken) =>
            request switch
            {
                "incr" => Reply(TermTuple.Of(home, state + 1), state + 1),
                _ => Reply(TermTuple.Of(home, state), state),
            };
    }
}
