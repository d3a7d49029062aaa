namespace Otp.Net.GenServers;

/// <summary>
/// A call request that declares its reply type: <c>record GetBalance(string Account) : ICall&lt;decimal&gt;;</c> makes
/// <c>await GenServer.CallAsync(server, new GetBalance("a"))</c> a <see cref="decimal"/>, checked at compile time. On
/// the server, <c>Reply(request, value, state)</c> in <see cref="GenServer{TState}"/> checks the reply's type at compile
/// time too. The request is still an ordinary term (gen_server's <c>Request</c>): untyped calls and
/// <c>HandleCallAsync</c>'s <c>object</c> parameter see it unchanged.
/// </summary>
/// <typeparam name="TReply">The reply's type.</typeparam>
#pragma warning disable CA1040 // A marker interface: its type argument is the contract.
public interface ICall<TReply>
#pragma warning restore CA1040
{
}
