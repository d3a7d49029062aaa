using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// A process registry that via-names resolve through: the .NET form of the callback module in OTP's
/// <c>{via, Module, Name}</c> (<c>register_name/2</c>, <c>unregister_name/1</c>, <c>whereis_name/1</c>).
/// <see cref="Registries.Registry"/> implements it; any other registry can, to be usable in
/// <see cref="GenServerOptions.Name"/> and <see cref="ServerRef.Via(ViaName)"/>.
/// </summary>
public interface IViaRegistry
{
    /// <summary>
    /// <c>Module:register_name(Name, Pid)</c>: registers <paramref name="pid"/> under <paramref name="name"/>; false
    /// (<c>no</c>) if the name is taken. A starting GenServer calls it from its own process, before <c>Init</c>.
    /// </summary>
    bool RegisterName(object name, Pid pid);

    /// <summary><c>Module:unregister_name(Name)</c>: removes the name, if registered.</summary>
    void UnregisterName(object name);

    /// <summary><c>Module:whereis_name(Name)</c>: the live process registered under <paramref name="name"/>, or null (<c>undefined</c>).</summary>
    Pid? WhereIsName(object name);
}
