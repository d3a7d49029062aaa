using Otp.Net.Terms;

namespace Otp.Net.Tasks;

/// <summary>The message a task sends its owner when it finishes: <c>{Ref, Result}</c>.</summary>
internal sealed record TaskReply(Ref Ref, object? Value);
