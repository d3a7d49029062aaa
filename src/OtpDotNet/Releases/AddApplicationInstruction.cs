using Otp.Net.Applications;

namespace Otp.Net.Releases;

/// <summary><c>{add_application, App, Type}</c>: loads the application's modules, then starts it (R9).</summary>
public sealed record AddApplicationInstruction(string Application) : AppupInstruction
{
    /// <summary>The start type; null loads the application without starting it (OTP's <c>load</c>).</summary>
    public ApplicationType? Type { get; init; } = ApplicationType.Permanent;
}
