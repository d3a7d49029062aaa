using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;

namespace Otp.Net.Benchmarks;

/// <summary>The workloads on Akka.NET with its defaults (thread-pool dispatcher, throughput 30), logging off.</summary>
internal sealed class AkkaRuntime : IRuntime
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("akka.loglevel = OFF\nakka.stdout-loglevel = OFF\nakka.log-dead-letters = off");
    private static readonly object Ping = "ping";
    private static readonly object Pong = "pong";
    private static readonly object Start = "start";
    private static readonly object Crash = "crash";

    public string Name => "akka";

    public async Task<bool> RunAsync(string workload, string[] args)
    {
        int I(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        using var system = ActorSystem.Create("bench", Quiet);
        switch (workload)
        {
            case "spawn":
                await SpawnRoundAsync(system, 1000, false);
                await SpawnRoundAsync(system, I(0), true);
                break;
            case "pingpong":
                await PairsRoundAsync(system, 1, Math.Max(1, I(0) / 10));
                Report.Result(Name, "pingpong", I(0), "rate", I(0) / await PairsRoundAsync(system, 1, I(0)), "roundtrips/s");
                break;
            case "oneway":
                await OneWayAsync(system, Math.Max(1, I(0) / 10));
                Report.Result(Name, "oneway", I(0), "rate", I(0) / await OneWayAsync(system, I(0)), "msgs/s");
                break;
            case "pairs":
                var r = (int)(long.Parse(args[1], CultureInfo.InvariantCulture) / (2L * I(0)));
                await PairsRoundAsync(system, I(0), Math.Max(1, r / 10));
                Report.Result(Name, "pairs", I(0), "rate", 2.0 * r * I(0) / await PairsRoundAsync(system, I(0), r), "msgs/s");
                break;
            case "call":
                await CallAsync(system, I(0), I(1));
                break;
            case "restart":
                await RestartAsync(system, I(0));
                break;
            default:
                return false;
        }
        await system.Terminate();
        return true;
    }

    private sealed class Idle(Measure.Lifecycle lifecycle) : UntypedActor
    {
        protected override void PreStart() => lifecycle.Started();

        protected override void PostStop() => lifecycle.Stopped();

        protected override void OnReceive(object message)
        {
        }
    }

    private Task SpawnRoundAsync(ActorSystem system, int n, bool measure) =>
        Measure.SpawnAsync<IActorRef>(Name, n, measure, lifecycle =>
        {
            var props = Props.Create(() => new Idle(lifecycle));
            return () => system.ActorOf(props);
        }, r => r.Tell(PoisonPill.Instance));

    private sealed class PongActor : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(Pong);
    }

    private sealed class PingActor(IActorRef pong, int roundTrips, Action done) : UntypedActor
    {
        private int _n;

        protected override void OnReceive(object message)
        {
            if (message == Start)
            {
                pong.Tell(Ping);
                return;
            }
            if (++_n == roundTrips) done();
            else pong.Tell(Ping);
        }
    }

    private static async Task<double> PairsRoundAsync(ActorSystem system, int pairs, int roundTrips)
    {
        var remaining = pairs;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pings = new IActorRef[pairs];
        for (var i = 0; i < pairs; i++)
        {
            var pong = system.ActorOf(Props.Create(() => new PongActor()));
            Action finished = () =>
            {
                if (Interlocked.Decrement(ref remaining) == 0) done.SetResult();
            };
            pings[i] = system.ActorOf(Props.Create(() => new PingActor(pong, roundTrips, finished)));
        }
        var t0 = Stopwatch.GetTimestamp();
        foreach (var p in pings) p.Tell(Start);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }

    private sealed class Consumer(int n, TaskCompletionSource done) : UntypedActor
    {
        private int _count;

        protected override void OnReceive(object message)
        {
            if (++_count == n) done.SetResult();
        }
    }

    private sealed class Producer(IActorRef consumer, int n) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            for (var i = 0; i < n; i++) consumer.Tell(i);
        }
    }

    private static async Task<double> OneWayAsync(ActorSystem system, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = system.ActorOf(Props.Create(() => new Consumer(n, done)));
        var producer = system.ActorOf(Props.Create(() => new Producer(consumer, n)));
        var t0 = Stopwatch.GetTimestamp();
        producer.Tell(Start);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }

    private Task CallAsync(ActorSystem system, int clients, int calls) =>
        Measure.CallAsync(Name, clients, calls, () =>
        {
            var server = system.ActorOf(Props.Create(() => new PongActor()));
            var timeout = TimeSpan.FromSeconds(5);
            return () => server.Ask<object>(Ping, timeout);
        });

    private sealed class Worker : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (message == Crash) throw new InvalidOperationException("crash");
            Sender.Tell(Pong);
        }
    }

    private sealed class Parent : UntypedActor
    {
        private IActorRef? _child;

        protected override void PreStart() => _child = Context.ActorOf(Props.Create(() => new Worker()));

        protected override void OnReceive(object message) => Sender.Tell(_child!);
    }

    private async Task RestartAsync(ActorSystem system, int crashes)
    {
        await RestartRoundAsync(system, Math.Max(1, crashes / 10));
        Measure.Restart(Name, crashes, await RestartRoundAsync(system, crashes), retries: 0);
    }

    private static async Task<double[]> RestartRoundAsync(ActorSystem system, int crashes)
    {
        var parent = system.ActorOf(Props.Create(() => new Parent()));
        var worker = await parent.Ask<IActorRef>("child", TimeSpan.FromSeconds(5));
        var samples = new double[crashes];
        for (var i = 0; i < crashes; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            worker.Tell(Crash);
            await worker.Ask<object>(Ping, TimeSpan.FromSeconds(5));
            samples[i] = Stats.TicksToMicros(Stopwatch.GetTimestamp() - t0);
        }
        return samples;
    }
}
