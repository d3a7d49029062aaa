namespace Otp.Net.Code;

/// <summary>
/// A kind of callback module the code server loads besides GenServers and process modules: a class deriving from
/// <see cref="Base"/> is created as usual and wrapped by <see cref="Wrap"/> into what the module version holds: the
/// GenServer callback module that runs it (a supervisor module runs inside the supervisor engine), or the instance itself
/// for a behaviour that runs no process of its own (an application's callback). The layer that defines the behaviour declares it and the
/// node hands it to its code server, so the code server names no behaviour above its own layer.
/// </summary>
/// <param name="Base">The behaviour's base class (e.g. <c>Supervisor</c>).</param>
/// <param name="Name">The behaviour's name, as <c>get_status</c> reports it (<c>supervisor</c>).</param>
/// <param name="Wrap">Wraps a created module instance, given the module's name, into what the version holds.</param>
internal sealed record ModuleBehaviour(Type Base, string Name, Func<object, string, object> Wrap);
