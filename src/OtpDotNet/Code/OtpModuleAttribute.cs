namespace Otp.Net.Code;

/// <summary>
/// Marks a class in a module assembly as the callback module <see cref="Name"/> (a GenServer or an
/// <see cref="IProcessModule"/>). <see cref="Vsn"/> is the .NET form of Erlang's <c>-vsn</c> attribute; without it the
/// version is the assembly's version.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OtpModuleAttribute(string name) : Attribute
{
    /// <summary>The module's name, by which processes and the code server refer to it.</summary>
    public string Name { get; } = name;

    /// <summary>The module's version (Erlang's <c>-vsn</c>); defaults to the assembly version.</summary>
    public string? Vsn { get; set; }
}
