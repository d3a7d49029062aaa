using Microsoft.Extensions.DependencyInjection;
using Otp.Net.GenServers;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Hosting;

/// <summary>Turns declared trees into child specs, creating behaviours with constructor injection.</summary>
internal static class TreeSpecs
{
    public static ChildSpec ToChildSpec(TreeNode node, IServiceProvider? services)
    {
        var id = node.Id;
        switch (node.Kind)
        {
            case ChildKind.GenServer:
                var type = node.ServerType ?? throw new InvalidOperationException($"child {node.Id} has no GenServer type");
                var options = NameOptions(node);
                // A new callback instance for every start: a restarted child begins from a fresh object.
                return new ChildSpec(id, n => GenServer.StartLinkAsync(n, Create(type, services), node.Args, options))
                {
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                    Modules = [type.FullName ?? type.Name],
                };
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
    /// A child is registered only under the name it declares: ids are local to their supervisor, so two applications
    /// may both have a <c>"workers"</c> child.
    /// </summary>
    private static GenServerOptions? NameOptions(TreeNode node) => node.Name is null ? null : new GenServerOptions { Name = node.Name };

    private static GenServerBase Create(Type type, IServiceProvider? services) =>
        (GenServerBase)(services is null ? Activator.CreateInstance(type)! : ActivatorUtilities.CreateInstance(services, type));
}
