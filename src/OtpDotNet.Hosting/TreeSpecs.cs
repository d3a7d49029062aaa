using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Otp.Net.GenServers;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Hosting;

/// <summary>Turns declared trees into child specs, creating behaviours with constructor injection.</summary>
internal static partial class TreeSpecs
{
    /// <summary>The id of a child started on a dynamic supervisor (which identifies its children by pid).</summary>
    public static ChildId DynamicId => "undefined";

    public static ChildSpec ToChildSpec(TreeNode node, IServiceProvider? services)
    {
        var id = node.Id;
        switch (node.Kind)
        {
            case ChildKind.GenServer when node.Module is { } module:
                return ChildSpec.ForModule(id, module, node.Args, NameOptions(node)) with { Restart = node.Restart, Shutdown = node.Shutdown };
            case ChildKind.GenServer:
                var type = node.ServerType ?? throw new InvalidOperationException($"child {node.Id} has no GenServer type");
                return ForService(id, type, services, node.Args, node.Scoped, NameOptions(node)) with { Restart = node.Restart, Shutdown = node.Shutdown };
            case ChildKind.DynamicSupervisor:
                return new ChildSpec(id, n => DynamicSupervisor.StartLinkAsync(n, node.Dynamic, NameOptions(node)))
                {
                    Type = ChildType.Supervisor,
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                };
            default:
                var children = node.Children.Select(c => ToChildSpec(c, services)).ToArray();
                return new ChildSpec(id, n => Supervisor.StartLinkAsync(n, node.Flags, children, NameOptions(node)))
                {
                    Type = ChildType.Supervisor,
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                };
        }
    }

    /// <summary>
    /// A worker running a new <paramref name="type"/> created with constructor injection for every start (a restarted
    /// child begins from a fresh object). With <paramref name="scoped"/>, each incarnation gets its own DI scope, created
    /// before the instance and disposed once the incarnation has exited (or at once if it did not start).
    /// </summary>
    public static ChildSpec ForService(ChildId id, Type type, IServiceProvider? services, object? args, bool scoped, GenServerOptions? options) =>
        new(id, node => scoped && services is not null ? StartScopedAsync(node, type, services, args, options) : GenServer.StartLinkAsync(node, Create(type, services), args, options))
        {
            Modules = [type.FullName ?? type.Name],
        };

    private static async Task<StartResult> StartScopedAsync(Node node, Type type, IServiceProvider services, object? args, GenServerOptions? options)
    {
        var scope = services.CreateAsyncScope();
        StartResult result;
        try
        {
            // Started before the first await: the start runs in the supervisor's turn, so the link is to the supervisor.
            result = await GenServer.StartLinkAsync(node, Create(type, scope.ServiceProvider), args, options).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync(node, scope, type).ConfigureAwait(false);
            throw;
        }
        if (!result.IsOk)
        {
            await DisposeAsync(node, scope, type).ConfigureAwait(false);
            return result;
        }
        _ = DisposeOnExitAsync(node, result.Pid, scope, type);
        return result;
    }

    private static async Task DisposeOnExitAsync(Node node, Processes.Pid pid, AsyncServiceScope scope, Type type)
    {
        await node.WaitForExitAsync(pid).ConfigureAwait(false);
        await DisposeAsync(node, scope, type).ConfigureAwait(false);
    }

    /// <summary>Disposes an incarnation's scope; a service that throws while disposed is logged, never rethrown.</summary>
    private static async Task DisposeAsync(Node node, AsyncServiceScope scope, Type type)
    {
        try
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ScopeDisposeFailed(node.LoggerFactory.CreateLogger("Otp.Net.Hosting"), type.FullName ?? type.Name, ex);
        }
    }

    /// <summary>
    /// A child is registered only under the name it declares: ids are local to their supervisor, so two applications
    /// may both have a <c>"workers"</c> child.
    /// </summary>
    private static GenServerOptions? NameOptions(TreeNode node) => node.Name is null ? null : new GenServerOptions { Name = node.Name };

    private static GenServerBase Create(Type type, IServiceProvider? services) =>
        (GenServerBase)(services is null ? Activator.CreateInstance(type)! : ActivatorUtilities.CreateInstance(services, type));

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error, Message = "Disposing the service scope of a {Module} incarnation failed")]
    private static partial void ScopeDisposeFailed(ILogger logger, string module, Exception exception);
}
