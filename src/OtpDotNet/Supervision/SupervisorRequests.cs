using Otp.Net.Processes;

namespace Otp.Net.Supervision;

/// <summary>The calls a supervisor serves.</summary>
internal static class SupervisorRequests
{
    public sealed record WhichChildren;

    public sealed record CountChildren;

    public sealed record StartChild(ChildSpec Spec);

    public sealed record StartChildWithArgs(IReadOnlyList<object?> ExtraArgs);

    public sealed record TerminateChild(object? Id, Pid Pid);

    public sealed record RestartChild(object Id);

    public sealed record DeleteChild(object Id);

    public sealed record GetChildSpec(object Id);

    public sealed record RetryRestart(long ChildKey);

    public static readonly WhichChildren Which = new();

    public static readonly CountChildren Count = new();
}
