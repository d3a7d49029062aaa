using Otp.Net.Code;

namespace Otp.Net.Releases;

/// <summary>Finds the <see cref="IReleaseActions"/> of a module version's instance.</summary>
internal static class ReleaseActions
{
    public static IReleaseActions? Of(object? instance) => instance as IReleaseActions ?? (instance as IWrappedModule)?.Callback as IReleaseActions;
}
