using Otp.Net.Terms;

namespace Otp.Net.Processes;

/// <summary>Something that holds a monitor on a process: a process (gets a <see cref="DownMessage"/>) or a pending call.</summary>
internal interface IDownWatcher
{
    void OnDown(Ref monitorRef, Pid pid, ExitReason reason);
}
