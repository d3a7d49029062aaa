namespace Otp.Net.Supervision;

/// <summary>When significant children end the supervisor (U19).</summary>
public enum AutoShutdown
{
    /// <summary>Never (default).</summary>
    Never,

    /// <summary>When any significant child ends and is not restarted.</summary>
    AnySignificant,

    /// <summary>When all significant children have ended.</summary>
    AllSignificant,
}
