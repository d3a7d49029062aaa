using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otp.Net;
using Otp.Net.GenServers;
using Otp.Net.Hosting;

// appsettings.json holds the tree; the host checks it when it starts.
using (var host = Build())
{
    await host.StartAsync();
    var node = host.Services.GetRequiredService<Node>();
    Console.WriteLine(await GenServer.CallAsync(ServerRef.Named(node, "pricing"), "describe"));
    Console.WriteLine(node.Options.ShutdownTimeout);
    await host.StopAsync();
}

// A typo in a key: the host does not start, and the error names the configuration path.
using (var host = Build(("Otp:Applications:shop:Supervisor:Children:1:Restartt", "Transient")))
{
    try
    {
        await host.StartAsync();
    }
    catch (OptionsValidationException ex)
    {
        Console.WriteLine(ex.Failures.Single());
    }
}

static IHost Build(params (string Key, string? Value)[] overrides)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Configuration.AddInMemoryCollection(overrides.Select(o => KeyValuePair.Create(o.Key, o.Value)));
    builder.Services.AddOtp(otp => otp.AddApplicationsFrom(builder.Configuration.GetSection("Otp")));
    return builder.Build();
}

public sealed record PricingSettings
{
    public string Currency { get; init; } = "EUR";

    public List<double> Rates { get; init; } = [];
}

public sealed class Pricing : GenServer<PricingSettings>
{
    public override ValueTask<InitResult<PricingSettings>> InitAsync(object? args, CancellationToken cancellationToken) => Ok((PricingSettings)args!);

    public override ValueTask<ServerResult<PricingSettings>> HandleCallAsync(object request, From from, PricingSettings state, CancellationToken cancellationToken) =>
        Reply($"{state.Currency}: {string.Join(", ", state.Rates)}", state);
}
