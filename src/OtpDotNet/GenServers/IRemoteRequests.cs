using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>Requests (calls, sys operations) and casts to servers of other nodes, carried by the node's distribution.</summary>
internal interface IRemoteRequests
{
    /// <summary>The node this distribution belongs to.</summary>
    Node LocalNode { get; }

    /// <summary>Starts a request (call or sys) to a remote server; the reply or the failure completes <paramref name="sink"/>.</summary>
    void StartRequest(LocalProcess? caller, ServerRef server, object envelope, CallReply sink);

    /// <summary>The request's wait is over (answered, failed, timed out or cancelled): forgets it.</summary>
    void EndRequest(CallReply sink);

    /// <summary>A cast to a remote server.</summary>
    void Cast(LocalProcess? caller, ServerRef server, object request);
}
