using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>
/// What a node needs from its distribution (the <c>OtpDotNet.Distribution</c> package): signals toward processes of
/// other nodes. A process keeps its own side of every link and monitor; the distribution carries the signals and tells
/// processes when a node goes down (<see cref="LocalProcess.OnNodeDown"/>).
/// </summary>
internal interface IDistribution
{
    /// <summary>This node's name and creation.</summary>
    NodeIdentity Self { get; }

    /// <summary>A message to a remote process; dropped when its node is not connected (X4).</summary>
    void Send(LocalProcess? from, RemotePid to, object message);

    /// <summary><paramref name="from"/> has recorded its side of a link to <paramref name="to"/>: carries the link.</summary>
    void Link(LocalProcess from, RemotePid to);

    /// <summary><paramref name="from"/> has removed its side of a link to <paramref name="to"/>.</summary>
    void Unlink(LocalProcess from, RemotePid to);

    /// <summary>An exit signal toward a remote process (<paramref name="viaLink"/>: its dying link partner).</summary>
    void ExitSignal(Pid from, RemotePid to, ExitReason reason, bool viaLink);

    /// <summary><paramref name="watcher"/> has recorded <paramref name="monitor"/> under <paramref name="monitorRef"/>: carries it.</summary>
    void Monitor(LocalProcess watcher, Ref monitorRef, RemoteMonitor monitor);

    /// <summary>A monitor was removed by its watcher (demonitor, or the watcher's exit).</summary>
    void Demonitor(Pid watcher, Ref monitorRef, RemoteMonitor monitor);

    /// <summary>True when <paramref name="node"/> names this node.</summary>
    bool IsSelf(string node);
}
