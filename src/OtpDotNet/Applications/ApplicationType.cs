namespace Otp.Net.Applications;

/// <summary>What happens when an application ends on its own (A6).</summary>
public enum ApplicationType
{
    /// <summary>Reported only.</summary>
    Temporary,

    /// <summary>Reported if it ended <c>normal</c>; any other reason, <c>shutdown</c> included, shuts the node down.</summary>
    Transient,

    /// <summary>Any ending shuts the node down.</summary>
    Permanent,
}
