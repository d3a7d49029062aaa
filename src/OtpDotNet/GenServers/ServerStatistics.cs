namespace Otp.Net.GenServers;

/// <summary><c>sys:statistics(Name, get)</c>: when collection started and messages counted since.</summary>
/// <param name="StartTime">When statistics were switched on.</param>
/// <param name="MessagesIn">Messages received.</param>
/// <param name="MessagesOut">Replies sent.</param>
public sealed record ServerStatistics(DateTimeOffset StartTime, long MessagesIn, long MessagesOut);
