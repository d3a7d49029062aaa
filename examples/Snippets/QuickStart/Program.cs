using Otp.Net;
using Otp.Net.Processes;
using Otp.Net.Terms;

await using var node = new Node();

var main = node.Spawn(async self =>
{
    var pong = self.Spawn(async ctx =>
    {
        while (true)
            if (await ctx.ReceiveAsync() is (Pid from, "ping")) ctx.Send(from, "pong");
    });
    self.Send(pong, (self.Self, "ping"));
    Console.WriteLine(await self.ReceiveAsync());                 // pong

    self.TrapExit = true;                                          // process_flag(trap_exit, true)
    self.SpawnLink(_ => throw new OtpExitException(ExitReason.Of(Atom.Of("boom"))));
    Console.WriteLine(await self.ReceiveAsync<ExitMessage>());    // {'EXIT',<0.3.0>,boom}

    var none = await self.ReceiveAsync(m => m is int, TimeSpan.FromMilliseconds(20)); // receive ... after
    Console.WriteLine(none is null ? "timeout" : none);            // timeout
});
await node.WaitForExitAsync(main);                                 // the node is disposed only once it is done
