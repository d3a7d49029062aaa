// Otp.Net quick start: processes, messages, links, monitors, trap_exit and timers.
using Otp.Net;
using Otp.Net.Processes;
using Otp.Net.Terms;

await using var node = new Node();
var done = new TaskCompletionSource();

node.Spawn(async self =>
{
    // 1. Ping-pong between two processes.
    var pong = self.Spawn(async ctx =>
    {
        while (true)
        {
            if (await ctx.ReceiveAsync() is (Pid from, "ping")) ctx.Send(from, "pong");
        }
    });
    self.Send(pong, (self.Self, "ping"));
    Console.WriteLine($"{self.Self} got {await self.ReceiveAsync()} from {pong}");

    // 2. A linked crash arrives as an 'EXIT' message because we trap exits.
    self.TrapExit = true;
    var worker = self.SpawnLink(_ => throw new OtpExitException(ExitReason.Of(Atom.Of("boom"))));
    var exit = await self.ReceiveAsync<ExitMessage>();
    Console.WriteLine($"trapped {exit}");

    // 3. A monitor reports how a process ended.
    var (victim, monitor) = self.SpawnMonitor(async ctx => await ctx.ReceiveAsync());
    self.Exit(victim, ExitReason.Kill);
    Console.WriteLine($"monitor says {await self.ReceiveAsync<DownMessage>(d => d.Ref == monitor)}");

    // 4. Timers: start_timer delivers {timeout, TRef, Msg}.
    var tref = node.StartTimer(TimeSpan.FromMilliseconds(50), self.Self, Atom.Of("tick"));
    Console.WriteLine($"timer fired: {await self.ReceiveAsync()}");

    // 5. Selective receive with a timeout: nothing matches, 'after' wins.
    var none = await self.ReceiveAsync(m => m is int, TimeSpan.FromMilliseconds(20));
    Console.WriteLine($"receive after 20 ms: {(none is null ? "timeout" : none)}");
    done.SetResult();
});

await done.Task;
