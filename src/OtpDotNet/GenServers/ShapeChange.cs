namespace Otp.Net.GenServers;

/// <summary>
/// The first argument of a change_code sent by a release install: the version the process moves to
/// (<see cref="ToVsn"/>; the current one when null), and whether the state moves by shape with no <c>CodeChange</c>
/// called (a soft update, or its undo).
/// </summary>
internal sealed record ShapeChange(string? ToVsn, bool Shape = true);
