namespace Otp.Net.Processes;

/// <summary>A watcher on another node: forgotten when that node goes down.</summary>
internal interface IRemoteWatcher : IDownWatcher
{
    RemoteNode Node { get; }
}
