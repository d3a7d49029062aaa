namespace Otp.Net.Releases;

/// <summary>
/// Sets an application's environment to the target release's and calls its <c>ConfigChange</c>; these come after the
/// script, as in OTP (R4). A <c>ConfigChange</c> that throws fails the install, which rolls back (unlike R5).
/// </summary>
public sealed record ConfigChangeStep(string Application) : ReleaseStep;
