namespace Otp.Net.Releases;

/// <summary>What an <see cref="UpdateSupervisorInstruction"/> does with children whose ids appear or disappear.</summary>
public enum SupervisorChildrenMode
{
    /// <summary>Start new ids; stop and delete ids that are gone (Otp.Net's default).</summary>
    Reconcile,

    /// <summary>OTP's behaviour (R11.3–4): new ids are added but not started, removed ids keep running.</summary>
    Otp,
}
