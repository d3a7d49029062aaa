namespace Otp.Net.GenServers;

/// <summary>
/// The starter's side of a synchronous start. A failed init records its result before the process exits and
/// completes the acknowledgement after, so a starter that sees the exit first still gets the right result
/// (ignore or the error) and every report of the death comes before the starter continues.
/// </summary>
internal sealed class StartAck
{
    private readonly TaskCompletionSource<StartResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile StartResult? _pending;

    public Task<StartResult> Task => _completion.Task;

    /// <summary>The result recorded before the process exited, if any.</summary>
    public StartResult? Pending => _pending;

    public void Record(StartResult result) => _pending = result;

    public void Complete(StartResult result)
    {
        _pending = result;
        _completion.TrySetResult(result);
    }
}
