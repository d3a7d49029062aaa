namespace Otp.Net.GenServers;

/// <summary>A code change result seen by the engine.</summary>
internal interface ICodeChangeResult
{
    bool IsOk { get; }

    object? BoxedState { get; }

    object? Error { get; }
}
