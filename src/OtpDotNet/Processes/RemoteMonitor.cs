namespace Otp.Net.Processes;

/// <summary>
/// A monitor a local process holds on a process of another node: by pid, or by name (<c>{Name, Node}</c>), in which
/// case its <c>DOWN</c> carries the name.
/// </summary>
internal sealed record RemoteMonitor(Otp.Net.Terms.Ref Ref, string NodeName, RemotePid? Pid, string? Name);
