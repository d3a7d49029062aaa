using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Hosting;
using Otp.Net.Supervision;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddScoped<UnitOfWork>();
builder.Services.AddOtp(otp => otp.AddApplication("shop", app => app.Supervisor(s => s
    .GenServer<Cart>("main", args: "main", name: "main", scoped: true) // one DI scope per incarnation
    .DynamicSupervisor("carts", name: "carts"))));
using var host = builder.Build();
await host.StartAsync();
var node = host.Services.GetRequiredService<Node>();

Console.WriteLine(await GenServer.CallAsync(ServerRef.Named(node, "main"), "who"));
var extra = (await node.StartChildAsync<Cart>("carts", "extra", scoped: true)).GetPidOrThrow(); // created through DI
Console.WriteLine(await GenServer.CallAsync(extra, "who"));
await DynamicSupervisor.TerminateChildAsync(ServerRef.Named(node, "carts"), extra);
await UnitOfWork.Disposed(2); // the extra cart's scope is disposed once its process has exited
await host.StopAsync();       // and the main cart's when the application stops

sealed class UnitOfWork : IDisposable
{
    private static int _next;
    private static readonly Dictionary<int, TaskCompletionSource> Gone = [];

    public int Id { get; } = Interlocked.Increment(ref _next);

    public static Task Disposed(int id) { lock (Gone) return (Gone.TryGetValue(id, out var t) ? t : Gone[id] = new()).Task; }

    public void Dispose()
    {
        Console.WriteLine($"unit of work {Id} disposed");
        lock (Gone) (Gone.TryGetValue(Id, out var t) ? t : Gone[Id] = new()).TrySetResult();
    }
}

sealed class Cart(UnitOfWork work) : GenServer<string>
{
    public override ValueTask<InitResult<string>> InitAsync(object? args, CancellationToken cancellationToken) => Ok((string)args!);

    public override ValueTask<ServerResult<string>> HandleCallAsync(object request, From from, string state, CancellationToken cancellationToken) =>
        Reply($"{state} cart, unit of work {work.Id}", state);
}
