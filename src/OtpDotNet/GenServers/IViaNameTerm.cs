namespace Otp.Net.GenServers;

/// <summary>A via module that prints its names itself (the registry's <c>{via, Registry, {Registry, Key}}</c>).</summary>
internal interface IViaNameTerm
{
    /// <summary>The whole <c>{via, Module, Name}</c> term for <paramref name="name"/>.</summary>
    object ViaTerm(object name);
}
