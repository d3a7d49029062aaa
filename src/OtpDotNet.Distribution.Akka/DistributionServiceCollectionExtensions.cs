using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Otp.Net.Distribution.Akka;

/// <summary>Distribution for a hosted node (<c>AddOtp</c>), on Akka.NET Cluster.</summary>
public static class DistributionServiceCollectionExtensions
{
    /// <summary>
    /// Makes the host's node distributed when the host starts, before its applications start (and leaves the cluster
    /// after they have stopped). Settings come from <paramref name="section"/> (usually <c>Otp:Distribution</c>), then
    /// <paramref name="configure"/>. <see cref="Cluster"/> is then available from the container.
    /// </summary>
    public static IServiceCollection AddOtpDistribution(this IServiceCollection services, IConfiguration? section = null, Action<AkkaDistributionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<AkkaDistributionOptions>();
        if (section is not null) options.Bind(section);
        if (configure is not null) options.Configure(configure);
        options.Validate(o =>
        {
            ToDistributionOptions(o).Validate();
            o.Akka.Validate();
            return true;
        });
        // First among the hosted services: the node is distributed before any application starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DistributionHostedService>());
        services.AddSingleton(sp => Cluster.Of(sp.GetRequiredService<Node>()));
        return services;
    }

    internal static DistributionOptions ToDistributionOptions(AkkaDistributionOptions o)
    {
        var options = new DistributionOptions { NodeName = o.NodeName, MaxFrameBytes = o.MaxFrameBytes };
        o.Configure?.Invoke(options);
        return options;
    }

    private sealed class DistributionHostedService(Node node, IOptions<AkkaDistributionOptions> options) : IHostedLifecycleService
    {
        private Cluster? _cluster;

        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            var o = options.Value;
            _cluster = await Cluster.StartAsync(node, ToDistributionOptions(o), new AkkaCarrier(o.Akka, o.MaxFrameBytes), cancellationToken).ConfigureAwait(false);
        }

        public async Task StoppedAsync(CancellationToken cancellationToken)
        {
            if (_cluster is not null) await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
