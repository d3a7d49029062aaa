using Otp.Net.GenServers;
using Otp.Net.Supervision;

namespace Otp.Net.Hosting;

/// <summary>Children created from the host's services (<see cref="NodeOptions.Services"/>), started on demand.</summary>
public static class NodeServiceExtensions
{
    /// <summary>
    /// <c>supervisor:start_child/2</c> on a dynamic supervisor (D1) with a new <typeparamref name="TServer"/> created by
    /// constructor injection from the node's services, for this start and every restart. With <paramref name="scoped"/>,
    /// every incarnation gets its own DI scope, disposed once it has exited. A bare name in <paramref name="supervisor"/>
    /// is resolved on <paramref name="node"/>, so this works from any code.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node has no services (it was not created by <c>AddOtp</c> nor given <see cref="NodeOptions.Services"/>).</exception>
    public static Task<StartResult> StartChildAsync<TServer>(this Node node, ServerRef supervisor, object? args = null, bool scoped = false, GenServerOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TServer : GenServerBase
    {
        ArgumentNullException.ThrowIfNull(node);
        var services = node.Options.Services ?? throw new InvalidOperationException("the node has no services: create it with AddOtp or set NodeOptions.Services");
        if (supervisor.Name is { } name && supervisor.Node is null) supervisor = ServerRef.Named(node, name);
        var spec = TreeSpecs.ForService(TreeSpecs.DynamicId, typeof(TServer), services, args, scoped, options);
        return DynamicSupervisor.StartChildAsync(supervisor, spec, timeout, cancellationToken);
    }

    /// <summary>
    /// As <see cref="StartChildAsync{TServer}(Node, ServerRef, object?, bool, GenServerOptions?, TimeSpan?, CancellationToken)"/>,
    /// with the dynamic supervisor registered as <paramref name="supervisor"/> on <paramref name="node"/>.
    /// </summary>
    public static Task<StartResult> StartChildAsync<TServer>(this Node node, string supervisor, object? args = null, bool scoped = false, GenServerOptions? options = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        where TServer : GenServerBase
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(supervisor);
        return node.StartChildAsync<TServer>(ServerRef.Named(node, supervisor), args, scoped, options, timeout, cancellationToken);
    }
}
