namespace Otp.Net.Releases;

/// <summary><c>{delete_module, Mod}</c>: the module's code becomes old and is purged once the install succeeded (R9).</summary>
public sealed record DeleteModuleInstruction(string Module) : AppupInstruction;
