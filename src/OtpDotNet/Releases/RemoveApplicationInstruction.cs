namespace Otp.Net.Releases;

/// <summary><c>{remove_application, App}</c>: stops the application, then removes and purges its modules (R9).</summary>
public sealed record RemoveApplicationInstruction(string Application) : AppupInstruction;
