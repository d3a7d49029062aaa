namespace Otp.Net.Processes;

/// <summary>
/// Thrown by <see cref="ProcessContext.ReceiveAsync()"/> and its overloads when the process calls it while an
/// earlier receive is still waiting for a message (for example after
/// <c>Task.WhenAny(ctx.ReceiveAsync().AsTask(), delay)</c>). A process has one reader; a receive with a time limit is
/// <see cref="ProcessContext.ReceiveAsync(Func{object, bool}?, TimeSpan)"/>.
/// </summary>
public sealed class ReceivePendingException : InvalidOperationException
{
    /// <summary>Creates the exception for process <paramref name="pid"/>.</summary>
    public ReceivePendingException(Pid pid)
        : base($"{pid} is already waiting in a receive; a process can wait in only one receive at a time") => Pid = pid;

    /// <summary>The process that called receive twice.</summary>
    public Pid Pid { get; }
}
