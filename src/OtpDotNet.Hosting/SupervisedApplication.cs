using Otp.Net.Applications;
using Otp.Net.Processes;

namespace Otp.Net.Hosting;

/// <summary>
/// An application whose top supervisor is the tree declared with <see cref="ApplicationBuilder.Supervisor"/> or in
/// configuration. Derive from it to add <c>PrepStop</c>, <c>Stop</c> or <c>ConfigChange</c>; the top supervisor's
/// pid is <see cref="TopSupervisor"/>.
/// </summary>
public class SupervisedApplication : Application
{
    internal TreeNode? Tree { get; set; }

    internal IServiceProvider? Services { get; set; }

    /// <summary>The running top supervisor.</summary>
    public Pid TopSupervisor { get; private set; }

    /// <inheritdoc />
    public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
    {
        var node = ProcessContext.Current?.Node ?? throw new InvalidOperationException("an application starts inside its master process");
        var spec = TreeSpecs.ToChildSpec(Tree ?? throw new InvalidOperationException("no supervision tree was declared"), Services);
        var result = await spec.Start(node).ConfigureAwait(false);
        if (!result.IsOk) return ApplicationStart.Failed(result.Error ?? ExitReason.Of(Terms.Atom.Of("ignore")));
        TopSupervisor = result.Pid;
        return ApplicationStart.Ok(result.Pid);
    }
}
