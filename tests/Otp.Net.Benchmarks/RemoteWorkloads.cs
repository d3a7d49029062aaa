using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Otp.Net.Distribution;
using Otp.Net.Distribution.Akka;
using Otp.Net.GenServers;
using Otp.Net.Terms;
using Proto;
using Proto.Remote;
using Proto.Remote.GrpcNet;
using ActorSystem = Akka.Actor.ActorSystem;
using AkkaProps = Akka.Actor.Props;
using ProtoSystem = Proto.ActorSystem;
using Process = System.Diagnostics.Process;

namespace Otp.Net.Benchmarks;

/// <summary>
/// Between two nodes, each its own process on 127.0.0.1: ping-pong (one process sends, the other answers, N round
/// trips) and calls (C clients, N request-replies in all, with latencies). The server is this program started again
/// with <c>remote_server</c>. Otp.Net runs over its Akka.NET carrier (<c>otpnet</c>) and over the Proto.Cluster
/// prototype carrier (<c>otpproto</c>, <see cref="ProtoCarrier"/>); the peers use Akka.Remote and Proto.Remote
/// directly, with their defaults.
/// </summary>
internal static class RemoteWorkloads
{
    public static bool Handles(string workload) => workload is "remote_server" or "remote_pingpong" or "remote_call";

    public static async Task<bool> RunAsync(string runtime, string workload, string[] args)
    {
        int I(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
        if (workload == "remote_server")
        {
            var serving = runtime switch
            {
                "otpnet" => ServeOtpNetAsync(I(0), proto: false),
                "otpproto" => ServeOtpNetAsync(I(0), proto: true),
                "akka" => ServeAkkaAsync(I(0)),
                "proto" => ServeProtoAsync(I(0)),
                _ => null,
            };
            if (serving is null) return false;
            await serving;
            return true;
        }
        if (runtime is not ("otpnet" or "otpproto" or "akka" or "proto")) return false;
        var port = FreePort();
        using var server = StartServer(runtime, port);
        try
        {
            var client = runtime switch
            {
                "otpnet" => await OtpNetClient.StartAsync(port, proto: false),
                "otpproto" => await OtpNetClient.StartAsync(port, proto: true),
                "akka" => await AkkaClient.StartAsync(port),
                _ => (IRemoteClient)await ProtoClient.StartAsync(port),
            };
            await using (client)
            {
                if (workload == "remote_pingpong")
                {
                    await client.PingPongAsync(Math.Max(1, I(0) / 10));
                    var seconds = await client.PingPongAsync(I(0));
                    Report.Result(runtime, "remote_pingpong", I(0), "rate", I(0) / seconds, "roundtrips/s");
                }
                else
                {
                    await Measure.CallAsync(runtime, I(0), I(1), () => () => client.CallAsync(0), "remote_call");
                }
            }
        }
        finally
        {
            server.StandardInput.Close();
            if (!server.WaitForExit(20_000)) server.Kill(entireProcessTree: true);
        }
        return true;
    }

    private static Process StartServer(string runtime, int port)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") info.ArgumentList.Add(typeof(RemoteWorkloads).Assembly.Location);
        foreach (var a in (string[])[runtime, "remote_server", port.ToString(CultureInfo.InvariantCulture)]) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var ready = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => ready.TrySetResult(e.Data);
        process.BeginOutputReadLine();
        if (ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult() != "ready") throw new InvalidOperationException("the server node did not start");
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task UntilStdinClosesAsync()
    {
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
    }

    private interface IRemoteClient : IAsyncDisposable
    {
        Task<double> PingPongAsync(int n);

        Task CallAsync(int i);
    }

    // ---------------------------------------------------------------- Otp.Net over its Akka.NET carrier

    private const string ServerNode = "server@127.0.0.1";

    private static AkkaCarrierOptions AkkaOptions(int port, int? seed)
    {
        var options = new AkkaCarrierOptions { Port = port, AkkaLogLevel = "OFF" };
        if (seed is { } s) options.Seeds.Add($"127.0.0.1:{s}");
        return options;
    }

    private static IDistributionCarrier Carrier(bool proto, int port, int? seed) =>
        proto ? new ProtoCarrier(port, seed) : new AkkaCarrier(AkkaOptions(port, seed));

    private static async Task ServeOtpNetAsync(int port, bool proto)
    {
        await using var node = new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
        var cluster = await Cluster.StartAsync(node, new DistributionOptions { NodeName = ServerNode }, Carrier(proto, port, null));
        node.Spawn(async ctx =>
        {
            while (true)
            {
                if (await ctx.ReceiveAsync() is TermTuple { Length: 2 } t && t[0] is Processes.Pid from) ctx.Send(from, t[1]!);
            }
        }, new Processes.SpawnOptions { Name = "pong" });
        await GenServer.StartAsync(node, new Echo(), options: new GenServerOptions { Name = "echo" });
        await UntilStdinClosesAsync();
        await cluster.DisposeAsync();
    }

    private sealed class Echo : GenServer<int>
    {
        public override ValueTask<InitResult<int>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(0);

        public override ValueTask<ServerResult<int>> HandleCallAsync(object request, From from, int state, CancellationToken cancellationToken) => Reply(request, state);
    }

    private sealed class OtpNetClient(Node node, Cluster cluster) : IRemoteClient
    {
        private readonly ServerRef _echo = ServerRef.Remote("echo", ServerNode, node);

        public static async Task<OtpNetClient> StartAsync(int port, bool proto)
        {
            var node = new Node(new NodeOptions { LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
            var cluster = await Cluster.StartAsync(node, new DistributionOptions { NodeName = "client@127.0.0.1" }, Carrier(proto, 0, port));
            var clock = Stopwatch.StartNew();
            while (!cluster.IsConnected(ServerNode))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the client did not connect");
                await Task.Delay(20);
            }
            return new OtpNetClient(node, cluster);
        }

        public async Task<double> PingPongAsync(int n)
        {
            var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.Spawn(async ctx =>
            {
                var start = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++)
                {
                    ctx.Send("pong", ServerNode, TermTuple.Of(ctx.Self, i));
                    await ctx.ReceiveAsync();
                }
                done.SetResult(Report.Seconds(start, Stopwatch.GetTimestamp()));
            });
            return await done.Task;
        }

        public Task CallAsync(int i) => GenServer.CallAsync(_echo, i);

        public async ValueTask DisposeAsync()
        {
            await cluster.DisposeAsync();
            await node.DisposeAsync();
        }
    }

    // ---------------------------------------------------------------- Akka.Remote

    private static Config AkkaRemote(int port) => ConfigurationFactory.ParseString($$"""
        akka { loglevel = OFF, stdout-loglevel = OFF, log-dead-letters = off, actor.provider = remote,
               remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{port}} } }
        """);

    private static async Task ServeAkkaAsync(int port)
    {
        using var system = ActorSystem.Create("bench", AkkaRemote(port));
        system.ActorOf(AkkaProps.Create(() => new EchoActor()), "echo");
        await UntilStdinClosesAsync();
        await system.Terminate();
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(m => Sender.Tell(m));
    }

    private sealed class PingActor : ReceiveActor
    {
        public PingActor(IActorRef echo, int n, TaskCompletionSource done)
        {
            Receive<string>(_ => echo.Tell(0));
            Receive<int>(i =>
            {
                if (i + 1 < n) echo.Tell(i + 1);
                else done.SetResult();
            });
        }
    }

    private sealed class AkkaClient(ActorSystem system, IActorRef echo) : IRemoteClient
    {
        public static async Task<AkkaClient> StartAsync(int port)
        {
            var system = ActorSystem.Create("client", AkkaRemote(0));
            var echo = await system.ActorSelection($"akka.tcp://bench@127.0.0.1:{port}/user/echo").ResolveOne(TimeSpan.FromSeconds(30));
            return new AkkaClient(system, echo);
        }

        public async Task<double> PingPongAsync(int n)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pinger = system.ActorOf(AkkaProps.Create(() => new PingActor(echo, n, done)));
            var start = Stopwatch.GetTimestamp();
            pinger.Tell("go");
            await done.Task;
            var seconds = Report.Seconds(start, Stopwatch.GetTimestamp());
            system.Stop(pinger);
            return seconds;
        }

        public Task CallAsync(int i) => echo.Ask<int>(i, TimeSpan.FromSeconds(30));

        public async ValueTask DisposeAsync() => await system.Terminate();
    }

    // ---------------------------------------------------------------- Proto.Remote

    public sealed record ProtoPing(int N);

    private static async Task ServeProtoAsync(int port)
    {
        var system = new ProtoSystem().WithRemote(RemoteConfig.BindToLocalhost(port));
        await system.Remote().StartAsync();
        system.Root.SpawnNamed(Proto.Props.FromFunc(ctx =>
        {
            if (ctx.Message is ProtoPing) ctx.Respond(ctx.Message);
            return Task.CompletedTask;
        }), "echo");
        await UntilStdinClosesAsync();
        await system.Remote().ShutdownAsync();
    }

    private sealed class ProtoClient(ProtoSystem system, Proto.PID echo) : IRemoteClient
    {
        public static async Task<ProtoClient> StartAsync(int port)
        {
            var system = new ProtoSystem().WithRemote(RemoteConfig.BindToLocalhost(0));
            await system.Remote().StartAsync();
            return new ProtoClient(system, Proto.PID.FromAddress($"127.0.0.1:{port}", "echo"));
        }

        public async Task<double> PingPongAsync(int n)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pinger = system.Root.Spawn(Proto.Props.FromFunc(ctx =>
            {
                switch (ctx.Message)
                {
                    case string:
                        ctx.Request(echo, new ProtoPing(0));
                        break;
                    case ProtoPing p when p.N + 1 < n:
                        ctx.Request(echo, new ProtoPing(p.N + 1));
                        break;
                    case ProtoPing:
                        done.SetResult();
                        break;
                }
                return Task.CompletedTask;
            }));
            var start = Stopwatch.GetTimestamp();
            system.Root.Send(pinger, "go");
            await done.Task;
            var seconds = Report.Seconds(start, Stopwatch.GetTimestamp());
            await system.Root.StopAsync(pinger);
            return seconds;
        }

        public Task CallAsync(int i) => system.Root.RequestAsync<ProtoPing>(echo, new ProtoPing(i));

        public async ValueTask DisposeAsync() => await system.Remote().ShutdownAsync();
    }
}
