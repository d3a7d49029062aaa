using Otp.Net.Code;

namespace Otp.Net.Applications;

/// <summary>Application callbacks as code-server modules: a release's applications name their callback module.</summary>
internal static class ApplicationModule
{
    /// <summary>An <see cref="Application"/> subclass marked <c>[OtpModule]</c> loads as a module; the version holds the instance.</summary>
    public static readonly ModuleBehaviour Behaviour = new(typeof(Application), "application", static (instance, _) => instance);
}
