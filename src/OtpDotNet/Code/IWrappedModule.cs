namespace Otp.Net.Code;

/// <summary>A module version's instance that is an engine wrapping the user's callback object (a supervisor's).</summary>
internal interface IWrappedModule
{
    /// <summary>The user's callback object.</summary>
    object Callback { get; }
}
