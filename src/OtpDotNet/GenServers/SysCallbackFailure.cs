using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>The reply of a replace_state whose function threw (S2); the state was left unchanged.</summary>
internal sealed record SysCallbackFailure(ExceptionInfo Exception);
