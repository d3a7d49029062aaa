using Otp.Net.Applications;
using Otp.Net.Code;
using Otp.Net.GenServers;

namespace Otp.Net.Releases;

/// <summary>Turns a release's application descriptors into the application controller's specs.</summary>
internal static class ReleaseApplications
{
    /// <summary>
    /// The spec of <paramref name="descriptor"/>. Its callback (<see cref="ApplicationDescriptor.Mod"/>) is a module: an
    /// <see cref="Application"/> module is used as it is; a supervisor or GenServer module is started, linked, as the
    /// application's top process. Each start takes the module's version current then.
    /// </summary>
    public static ApplicationSpec ToSpec(Node node, ApplicationDescriptor descriptor) => new(descriptor.Name)
    {
        Version = descriptor.Version,
        Description = descriptor.Description,
        Modules = descriptor.Modules.Select(m => m.Name).ToArray(),
        Applications = descriptor.Applications,
        Env = descriptor.Env,
        Args = descriptor.Args,
        ResolveOnEachCallback = true,
        Mod = descriptor.Mod is not { } mod ? null : () => node.Code.CurrentVersion(mod)?.Instance switch
        {
            Application application => application,
            GenServerBase => new ModuleApplication(node, mod),
            null => throw new CodeLoadException(CodeErrorKind.UnknownModule, mod, $"module {mod} is not loaded"),
            _ => throw new CodeLoadException(CodeErrorKind.NotABehaviour, mod, $"module {mod} is neither an application nor a supervisor or GenServer"),
        },
    };

    /// <summary>An application whose callback is its top supervisor's module (as an Elixir application's <c>mod</c> often is).</summary>
    private sealed class ModuleApplication(Node node, string module) : Application
    {
        public override async Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken)
        {
            var result = await node.Code.StartGenServerAsync(module, args, link: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.IsOk ? ApplicationStart.Ok(result.Pid) : ApplicationStart.Failed(result.Error ?? Processes.ExitReason.Of(Terms.Atom.Of("ignore")));
        }
    }
}
