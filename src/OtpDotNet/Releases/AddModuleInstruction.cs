namespace Otp.Net.Releases;

/// <summary><c>{add_module, Mod}</c>: loads a module the old release did not have (R9).</summary>
public sealed record AddModuleInstruction(string Module) : AppupInstruction;
