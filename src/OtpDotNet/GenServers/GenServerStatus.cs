using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// <c>sys:get_status</c> (S7): <c>{status, Pid, {module, gen_server}, [PDict, running | suspended, Parent, Debug, Formatted]}</c>.
/// </summary>
/// <param name="Pid">The process.</param>
/// <param name="Behaviour">The behaviour (<c>gen_server</c>, <c>supervisor</c>).</param>
/// <param name="Module">The callback module's name.</param>
/// <param name="Suspended">Whether it is suspended.</param>
/// <param name="Parent">Its parent.</param>
/// <param name="Debug">Active debug options (<c>trace</c>, <c>statistics</c>).</param>
/// <param name="State">The state as the module's <c>FormatStatus</c> shows it.</param>
public sealed record GenServerStatus(Pid Pid, string Behaviour, string Module, bool Suspended, Pid Parent, IReadOnlyList<string> Debug, object? State);
