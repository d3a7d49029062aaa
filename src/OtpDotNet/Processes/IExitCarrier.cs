namespace Otp.Net.Processes;

/// <summary>
/// An exception that is not an <see cref="OtpExitException"/> but still ends a process with a reason of its own when it
/// escapes the process's code (a call's timeout, which is a <see cref="TimeoutException"/>).
/// </summary>
internal interface IExitCarrier
{
    ExitReason Reason { get; }
}
