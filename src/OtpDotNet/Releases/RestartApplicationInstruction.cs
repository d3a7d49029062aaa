namespace Otp.Net.Releases;

/// <summary><c>{restart_application, App}</c>: stops the application, loads its new modules, starts it again (R9).</summary>
public sealed record RestartApplicationInstruction(string Application) : AppupInstruction;
