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
        var id = Atom.Of(node.Id);
        switch (node.Kind)
        {
            case ChildKind.GenServer:
                var type = node.ServerType ?? throw new InvalidOperationException($"child {node.Id} has no GenServer type");
                var options = node.Name is null ? null : new GenServerOptions { Name = node.Name };
                return new ChildSpec(id, n => GenServer.StartLinkAsync(n, Create(type, services), node.Args, options))
                {
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                    Modules = [type.FullName ?? type.Name],
                };
            case ChildKind.DynamicSupervisor:
                return new ChildSpec(id, n => DynamicSupervisor.StartLinkAsync(n, node.Dynamic, new GenServerOptions { Name = node.Id }))
                {
                    Type = ChildType.Supervisor,
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                };
            default:
                var children = node.Children.Select(c => ToChildSpec(c, services)).ToArray();
                return new ChildSpec(id, n => Supervisor.StartLinkAsync(n, node.Flags, children, new GenServerOptions { Name = node.Id }))
                {
                    Type = ChildType.Supervisor,
                    Restart = node.Restart,
                    Shutdown = node.Shutdown,
                };
        }
    }

    private static GenServerBase Create(Type type, IServiceProvider? services) =>
        (GenServerBase)(services is null ? Activator.CreateInstance(type)! : ActivatorUtilities.CreateInstance(services, type));
}
