using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>A supervisor's record of one child.</summary>
internal sealed class Child(long key, ChildSpec spec)
{
    private Pid _pid;

    public long Key { get; } = key;

    public ChildSpec Spec { get; set; } = spec;

    /// <summary>The running incarnation, or undefined; the owning <see cref="ChildList"/> indexes children by it.</summary>
    public Pid Pid
    {
        get => _pid;
        set
        {
            var old = _pid;
            _pid = value;
            Owner?.PidChanged(this, old);
        }
    }

    public bool Restarting { get; set; }

    /// <summary>How many times the supervisor restarted this child (shown by tools).</summary>
    public int RestartCount { get; set; }

    /// <summary>The child's last exit reason, or null (shown by tools).</summary>
    public ExitReason? LastExit { get; set; }

    public bool IsRunning => !_pid.IsUndefined;

    /// <summary>The list holding this child, if any.</summary>
    internal ChildList? Owner { get; set; }

    /// <summary>This child's place in <see cref="Owner"/>'s order.</summary>
    internal LinkedListNode<Child>? Node { get; set; }
}
