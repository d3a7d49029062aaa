using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Code;

/// <summary>
/// An upgrade (or downgrade) was rolled back: <see cref="Process"/>'s <c>CodeChange</c> failed with
/// <see cref="Failure"/>. Every process is back on its old version with its old state and running; the new version
/// is unloaded.
/// </summary>
public sealed class UpgradeFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UpgradeFailedException(string module, Pid process, object failure)
        : base($"upgrade of {module} rolled back: code_change failed in {process}: {Terms.TermFormatter.Format(failure)}")
    {
        Module = module;
        Process = process;
        Failure = StateTerms.NeutralizeForReport(failure)!; // never an object that keeps a module version loaded
    }

    /// <summary>The module.</summary>
    public string Module { get; }

    /// <summary>The process whose code change failed.</summary>
    public Pid Process { get; }

    /// <summary>The failure, as change_code reported it (S5); objects of module versions in it are neutral <see cref="StateTerm"/>s.</summary>
    public object Failure { get; }
}
