namespace Otp.Net.Releases;

/// <summary>The direction of a <see cref="CodeChangeStep"/>.</summary>
public enum ChangeDirection
{
    /// <summary><c>CodeChange(OldVsn, ...)</c>: the new code converts the old state.</summary>
    Up,

    /// <summary><c>CodeChange({down, Vsn}, ...)</c>: the newer code converts its state back to the older version's (S6).</summary>
    Down,
}
