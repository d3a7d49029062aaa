namespace Otp.Net.Releases;

/// <summary>A release's status (R1): <c>unpacked</c> → <c>current</c> → <c>permanent</c>; the previous permanent becomes <c>old</c>.</summary>
public enum ReleaseStatus
{
    /// <summary>Unpacked into the releases directory, never installed.</summary>
    Unpacked,

    /// <summary>Installed and running but not permanent. In memory only: never written to the releases file, so a
    /// restart boots the permanent release (as in OTP).</summary>
    Current,

    /// <summary>The release a node boots.</summary>
    Permanent,

    /// <summary>A release that was permanent before the present one.</summary>
    Old,
}
