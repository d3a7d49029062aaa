namespace Otp.Net.Releases;

/// <summary>
/// After an <see cref="UpdateSupervisorInstruction"/>: starts the children whose ids the new <c>Init</c> added and stops
/// and deletes those whose ids it dropped (what OTP leaves to hand-written applies, R11.3–4).
/// </summary>
public sealed record SupervisorChildrenStep(string Module) : ReleaseStep;
