using System.Diagnostics;
using System.Globalization;
using Proto;

namespace Otp.Net.Benchmarks;

/// <summary>The workloads on Proto.Actor with its defaults (thread-pool dispatcher, throughput 300), no logger.</summary>
internal sealed class ProtoRuntime : IRuntime
{
    private static readonly object Ping = "ping";
    private static readonly object Pong = "pong";
    private static readonly object Go = "start";
    private static readonly object Crash = "crash";

    public string Name => "proto";

    public async Task<bool> RunAsync(string workload, string[] args)
    {
        int I(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        await using var system = new ActorSystem();
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
                await RestartRoundAsync(system, Math.Max(1, I(0) / 10));
                Measure.Restart(Name, I(0), await RestartRoundAsync(system, I(0)), retries: 0);
                break;
            default:
                return false;
        }
        return true;
    }

    private sealed class Idle(Measure.Lifecycle lifecycle) : IActor
    {
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Started) lifecycle.Started();
            else if (context.Message is Stopped) lifecycle.Stopped();
            return Task.CompletedTask;
        }
    }

    private Task SpawnRoundAsync(ActorSystem system, int n, bool measure) =>
        Measure.SpawnAsync<PID>(Name, n, measure, lifecycle =>
        {
            var props = Props.FromProducer(() => new Idle(lifecycle));
            return () => system.Root.Spawn(props);
        }, p => system.Root.Poison(p));

    private sealed class PongActor : IActor
    {
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message == Ping) context.Respond(Pong);
            return Task.CompletedTask;
        }
    }

    private sealed class PingActor(PID pong, int roundTrips, Action done) : IActor
    {
        private int _n;

        public Task ReceiveAsync(IContext context)
        {
            if (context.Message == Go) context.Request(pong, Ping);
            else if (context.Message == Pong)
            {
                if (++_n == roundTrips) done();
                else context.Request(pong, Ping);
            }
            return Task.CompletedTask;
        }
    }

    private static async Task<double> PairsRoundAsync(ActorSystem system, int pairs, int roundTrips)
    {
        var remaining = pairs;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pings = new PID[pairs];
        for (var i = 0; i < pairs; i++)
        {
            var pong = system.Root.Spawn(Props.FromProducer(() => new PongActor()));
            pings[i] = system.Root.Spawn(Props.FromProducer(() => new PingActor(pong, roundTrips, () =>
            {
                if (Interlocked.Decrement(ref remaining) == 0) done.SetResult();
            })));
        }
        var t0 = Stopwatch.GetTimestamp();
        foreach (var p in pings) system.Root.Send(p, Go);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }

    private sealed class Consumer(int n, TaskCompletionSource done) : IActor
    {
        private int _count;

        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is int && ++_count == n) done.SetResult();
            return Task.CompletedTask;
        }
    }

    private sealed class Producer(PID consumer, int n) : IActor
    {
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message == Go)
            {
                for (var i = 0; i < n; i++) context.Send(consumer, i);
            }
            return Task.CompletedTask;
        }
    }

    private static async Task<double> OneWayAsync(ActorSystem system, int n)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = system.Root.Spawn(Props.FromProducer(() => new Consumer(n, done)));
        var producer = system.Root.Spawn(Props.FromProducer(() => new Producer(consumer, n)));
        var t0 = Stopwatch.GetTimestamp();
        system.Root.Send(producer, Go);
        await done.Task;
        return Report.Seconds(t0, Stopwatch.GetTimestamp());
    }

    private Task CallAsync(ActorSystem system, int clients, int calls) =>
        Measure.CallAsync(Name, clients, calls, () =>
        {
            var server = system.Root.Spawn(Props.FromProducer(() => new PongActor()));
            var timeout = TimeSpan.FromSeconds(5);
            return () => system.Root.RequestAsync<object>(server, Ping, timeout);
        });

    private sealed class Worker : IActor
    {
        public Task ReceiveAsync(IContext context)
        {
            if (context.Message == Crash) throw new InvalidOperationException("crash");
            if (context.Message == Ping) context.Respond(Pong);
            return Task.CompletedTask;
        }
    }

    private sealed class Parent : IActor
    {
        private PID? _child;

        public Task ReceiveAsync(IContext context)
        {
            if (context.Message is Started) _child = context.Spawn(Props.FromProducer(() => new Worker()));
            else if (context.Message is string) context.Respond(_child!);
            return Task.CompletedTask;
        }
    }

    private static async Task<double[]> RestartRoundAsync(ActorSystem system, int crashes)
    {
        var strategy = new OneForOneStrategy((_, _) => SupervisorDirective.Restart, 1_000_000, TimeSpan.FromSeconds(1));
        var parent = system.Root.Spawn(Props.FromProducer(() => new Parent()).WithChildSupervisorStrategy(strategy));
        var worker = await system.Root.RequestAsync<PID>(parent, "child", TimeSpan.FromSeconds(5));
        var samples = new double[crashes];
        for (var i = 0; i < crashes; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            system.Root.Send(worker, Crash);
            await system.Root.RequestAsync<object>(worker, Ping, TimeSpan.FromSeconds(5));
            samples[i] = Stats.TicksToMicros(Stopwatch.GetTimestamp() - t0);
        }
        return samples;
    }
}
