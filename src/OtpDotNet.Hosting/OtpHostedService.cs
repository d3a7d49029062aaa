using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Otp.Net.Applications;
using Otp.Net.Code;

namespace Otp.Net.Hosting;

/// <summary>
/// Loads the declared modules and starts the declared applications (dependencies first) before any other hosted
/// service starts (<see cref="IHostedLifecycleService.StartingAsync"/>), and stops them in reverse start order after
/// every other hosted service has stopped (<see cref="IHostedLifecycleService.StoppedAsync"/>): services that call
/// into the node find it running in their own start and stop. An application that takes the node down (A6) stops
/// the host, with the reason logged.
/// </summary>
internal sealed partial class OtpHostedService(
    Node node,
    OtpBuilder builder,
    IOptions<OtpOptions> options,
    IServiceProvider services,
    IHostApplicationLifetime lifetime,
    ILogger<OtpHostedService> logger,
    IHostEnvironment? environment = null) : IHostedLifecycleService
{
    private readonly ConcurrentDictionary<string, SupervisedApplication> _callbacks = new(StringComparer.Ordinal);

    private volatile IReadOnlyList<string> _declared = [];
    private volatile bool _running;

    /// <summary>The declared applications, once the node has started them (read by health checks on other threads).</summary>
    internal IReadOnlyList<string> Declared => _declared;

    /// <summary>Whether the applications were started and are not stopped yet.</summary>
    internal bool Running => _running;

    /// <summary>The latest callback instance of an application (a restarted application gets a new one).</summary>
    internal SupervisedApplication? CallbackOf(string application) => _callbacks.TryGetValue(application, out var c) ? c : null;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await LoadModulesAsync(cancellationToken).ConfigureAwait(false);
        if (node.Releases.IsConfigured && await BootReleaseAsync(cancellationToken).ConfigureAwait(false) is { } booted)
        {
            ReleaseBooted(logger, booted.Name, booted.Version);
        }
        var errors = new List<string>();
        var applications = builder.Applications.Concat(ConfigurationTrees.Convert(options.Value, node.Code.IsLoaded, errors)).ToList();
        if (errors.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(OtpOptions), errors);
        foreach (var app in applications)
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
                    _callbacks[app.Name] = module;
                    return module;
                },
            };
            var loaded = node.Applications.Load(spec);
            if (!loaded.IsOk) throw new InvalidOperationException($"application {app.Name}: {loaded}");
        }
        _declared = applications.Select(a => a.Name).ToArray();
        foreach (var app in applications)
        {
            var (result, started) = await node.Applications.EnsureAllStartedAsync(app.Name, app.Type, cancellationToken).ConfigureAwait(false);
            if (!result.IsOk) throw new InvalidOperationException($"application {app.Name} failed to start: {result}");
            foreach (var name in started) Started(logger, name);
        }
        _running = true;
        _ = node.Applications.Terminated.ContinueWith(t =>
        {
            NodeTerminated(logger, t.Result.ToString());
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Loads the modules declared in code and in configuration, naming where a failing one was declared.</summary>
    private async Task LoadModulesAsync(CancellationToken cancellationToken)
    {
        var root = environment?.ContentRootPath ?? AppContext.BaseDirectory;
        var modules = builder.Modules.Select(m => (Module: m.Key, File: Path.GetFullPath(m.Value, root), Where: $"module {m.Key}"))
            .Concat(options.Value.Modules.Select(m => (Module: m.Key, File: m.Value, Where: options.Value.PathOfModule(m.Key))));
        foreach (var (module, file, where) in modules)
        {
            try
            {
                await node.Code.LoadAsync(file, module, cancellationToken).ConfigureAwait(false);
            }
            catch (CodeLoadException ex)
            {
                throw new InvalidOperationException($"{where}: cannot load {file}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// With a releases directory, the node boots its permanent release (or its only unpacked one, the first time) before
    /// the applications declared in code and configuration start; a directory with no release yet boots nothing.
    /// </summary>
    private async Task<Releases.ReleaseManifest?> BootReleaseAsync(CancellationToken cancellationToken)
    {
        if (node.Releases.WhichReleases().Count == 0) return null;
        try
        {
            return await node.Releases.BootAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Releases.ReleaseException ex)
        {
            throw new InvalidOperationException($"Otp:Node:ReleasesDirectory {node.Options.ReleasesDirectory}: cannot boot a release: {ex.Message}", ex);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _running = false;
        try
        {
            // The host's token ends only this wait: the stops already asked for keep going, in order.
            await node.Applications.StopAllAsync(CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Booted release {Release} {Version}")]
    private static partial void ReleaseBooted(ILogger logger, string release, string version);

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Started application {Application}")]
    private static partial void Started(ILogger logger, string application);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Critical, Message = "The node shut down ({Reason}); stopping the host")]
    private static partial void NodeTerminated(ILogger logger, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Applications did not stop within the host's shutdown timeout; the remaining processes were killed")]
    private static partial void ShutdownTimedOut(ILogger logger);
}
