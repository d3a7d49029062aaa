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
}
