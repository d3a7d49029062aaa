using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>A supervisor's record of one child.</summary>
internal sealed class Child(long key, ChildSpec spec)
{
    public long Key { get; } = key;

    public ChildSpec Spec { get; set; } = spec;

    public Pid Pid { get; set; }

    public bool Restarting { get; set; }

    public bool IsRunning => !Pid.IsUndefined;
}
