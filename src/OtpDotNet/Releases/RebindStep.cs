namespace Otp.Net.Releases;

/// <summary>
/// A soft update's move: each suspended process of the module is bound to the current version with its state converted
/// by shape, no <c>CodeChange</c> called (Otp.Net's form of a soft update, where OTP relies on a fully-qualified call).
/// </summary>
public sealed record RebindStep(string Module) : ReleaseStep;
