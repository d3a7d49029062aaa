namespace Otp.Net.Applications;

/// <summary>The start type passed to <see cref="Application.StartAsync"/> (A3): <c>normal</c> on a single node.</summary>
public enum StartType
{
    /// <summary>An ordinary start.</summary>
    Normal,

    /// <summary>Taking over from another node (distributed applications).</summary>
    Takeover,

    /// <summary>Failing over from another node (distributed applications).</summary>
    Failover,
}
