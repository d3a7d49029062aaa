using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Otp.Net.Applications;

namespace Otp.Net.Hosting;

/// <summary>
/// Starts the declared applications with the host (dependencies first) and stops them in reverse start order when
/// the host stops. An application that takes the node down (A6) stops the host, with the reason logged.
/// </summary>
internal sealed partial class OtpHostedService(Node node, OtpBuilder builder, IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<OtpHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var app in builder.Applications)
        {
            var callback = app.CallbackType;
            var spec = new ApplicationSpec(app.Name)
            {
                Version = app.Version,
                Description = app.Description,
                Applications = app.Dependencies,
                Env = app.Env,
                Mod = () =>
                {
                    var module = callback is null ? new SupervisedApplication() : (SupervisedApplication)ActivatorUtilities.CreateInstance(services, callback);
                    module.Tree = app.Tree;
                    module.Services = services;
                    return module;
                },
            };
            var loaded = node.Applications.Load(spec);
            if (!loaded.IsOk) throw new InvalidOperationException($"application {app.Name}: {loaded}");
        }
        foreach (var app in builder.Applications)
        {
            var (result, started) = await node.Applications.EnsureAllStartedAsync(app.Name, app.Type).ConfigureAwait(false);
            if (!result.IsOk) throw new InvalidOperationException($"application {app.Name} failed to start: {result}");
            foreach (var name in started) Started(logger, name);
        }
        _ = node.Applications.Terminated.ContinueWith(t =>
        {
            NodeTerminated(logger, t.Result.ToString());
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await node.Applications.StopAllAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ShutdownTimedOut(logger);
        }
        finally
        {
            await node.DisposeAsync().ConfigureAwait(false); // kills whatever did not stop in time
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Started application {Application}")]
    private static partial void Started(ILogger logger, string application);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Critical, Message = "The node shut down ({Reason}); stopping the host")]
    private static partial void NodeTerminated(ILogger logger, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Applications did not stop within the host's shutdown timeout; the remaining processes were killed")]
    private static partial void ShutdownTimedOut(ILogger logger);
}
