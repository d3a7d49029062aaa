using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tasks;

/// <summary>A task started with <see cref="OtpTask.Async"/>: its process, its owner and the monitor reference (Elixir's <c>%Task{}</c>).</summary>
/// <param name="Pid">The task's process.</param>
/// <param name="Owner">The process that started it; only it may await.</param>
/// <param name="Ref">The monitor reference, also tagging the reply.</param>
public sealed record TaskRef(Pid Pid, Pid Owner, Ref Ref) : ITermConvertible
{
    /// <inheritdoc />
    public object ToTerm() => TermTuple.Of(Atom.Of("Task"), Pid, Ref);
}
