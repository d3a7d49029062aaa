namespace Otp.Net.Releases;

/// <summary>What a <see cref="ControlReply"/> line is.</summary>
public enum ControlReplyKind
{
    /// <summary>A step of the install or rollback, as it happens.</summary>
    Journal,

    /// <summary>The command succeeded; the last line.</summary>
    Result,

    /// <summary>The command failed, with nothing changed or everything rolled back; the last line.</summary>
    Error,
}
