namespace Otp.Net.Releases;

/// <summary>
/// <c>{update, Sup, supervisor}</c>: suspends the supervisor, loads its new version and re-runs its new <c>Init</c>
/// with the original arguments (R11). Beyond OTP, the handler then starts the children whose ids are new and stops and
/// deletes those whose ids disappeared, unless <see cref="InstallOptions.SupervisorChildren"/> asks for OTP's behaviour.
/// </summary>
public sealed record UpdateSupervisorInstruction(string Module) : AppupInstruction;
