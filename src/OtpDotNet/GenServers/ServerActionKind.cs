namespace Otp.Net.GenServers;

/// <summary>The kind of a <see cref="ServerAction"/>.</summary>
public enum ServerActionKind
{
    /// <summary>No action.</summary>
    None,

    /// <summary>Idle timeout.</summary>
    Timeout,

    /// <summary>Hibernate.</summary>
    Hibernate,

    /// <summary>Continue.</summary>
    Continue,
}
