namespace Otp.Net.Terms;

/// <summary>A value with an Erlang term form, used by <see cref="TermFormatter"/> (e.g. <c>{'EXIT',Pid,Reason}</c>).</summary>
public interface ITermConvertible
{
    /// <summary>The value as a term built from atoms, integers, tuples, lists, pids and references.</summary>
    object ToTerm();
}
