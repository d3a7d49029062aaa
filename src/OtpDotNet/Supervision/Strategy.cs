namespace Otp.Net.Supervision;

/// <summary>Restart strategy (U9).</summary>
public enum Strategy
{
    /// <summary>Restart only the child that died.</summary>
    OneForOne,

    /// <summary>Stop the other children in reverse start order, then restart all in start order.</summary>
    OneForAll,

    /// <summary>Stop the children started after the dead one (reverse order), then restart it and them in start order.</summary>
    RestForOne,

    /// <summary>
    /// One template spec; children are started on demand with <c>start_child(Sup, ExtraArgs)</c>, which appends the
    /// extra arguments to the template's (U18). Children are addressed by pid and stopped all at once.
    /// </summary>
    SimpleOneForOne,
}
