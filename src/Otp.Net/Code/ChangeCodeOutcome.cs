using Otp.Net.Sys;

namespace Otp.Net.Code;

/// <summary>A change_code's result for the code server: the public result and the state before (for a rollback).</summary>
internal sealed record ChangeCodeOutcome(SysResult Result, object? PreviousState);
