namespace Otp.Net.Supervision;

/// <summary>When a child is restarted (U6).</summary>
public enum RestartType
{
    /// <summary>Always restarted.</summary>
    Permanent,

    /// <summary>Restarted unless it exits <c>normal</c>, <c>shutdown</c> or <c>{shutdown, _}</c>.</summary>
    Transient,

    /// <summary>Never restarted; its spec is removed when it ends.</summary>
    Temporary,
}
