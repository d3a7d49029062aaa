using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>The calls a supervisor serves.</summary>
internal static class SupervisorRequests
{
    public sealed record WhichChildren;

    public sealed record CountChildren;

    public sealed record StartChild(ChildSpec Spec);

    public sealed record StartChildWithArgs(IReadOnlyList<object?> ExtraArgs);

    public sealed record TerminateChild(ChildId? Id, Pid Pid);

    public sealed record RestartChild(ChildId Id);

    public sealed record DeleteChild(ChildId Id);

    public sealed record GetChildSpec(ChildId? Id, Pid Pid);

    public sealed record RetryRestart(long ChildKey);

    /// <summary>What the last code change did to the children (a <see cref="SupervisorChange"/>, or null).</summary>
    public sealed record LastChangeRequest;

    /// <summary>Flags, restarts in the period and children with their restart counts (a <see cref="SupervisorStatus"/>).</summary>
    public sealed record StatusRequest;

    public static readonly WhichChildren Which = new();

    public static readonly CountChildren Count = new();

    public static readonly LastChangeRequest LastChange = new();

    public static readonly StatusRequest Status = new();
}
