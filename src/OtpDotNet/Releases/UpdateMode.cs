namespace Otp.Net.Releases;

/// <summary>How an <see cref="UpdateInstruction"/> moves a module's processes to the new version.</summary>
public enum UpdateMode
{
    /// <summary>
    /// <c>{update, Mod}</c>: suspend, load, resume (R9). Otp.Net also moves each suspended process to the new version,
    /// converting its state by shape (same field names and types); a state whose shape changed fails the install.
    /// </summary>
    Soft,

    /// <summary><c>{update, Mod, {advanced, Extra}}</c>: suspend, load, <c>CodeChange(oldVsn, state, Extra)</c>, resume (R8.3).</summary>
    Advanced,
}
