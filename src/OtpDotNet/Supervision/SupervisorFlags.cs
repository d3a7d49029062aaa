namespace Otp.Net.Supervision;

/// <summary>
/// A supervisor's flags. Defaults are OTP's (U1): <c>one_for_one</c>, intensity 1 restart per 5 seconds.
/// (Elixir's Supervisor uses 3 per 5 s; <see cref="DynamicSupervisor"/> uses 3 per 5 s like Elixir's.)
/// </summary>
public sealed record SupervisorFlags
{
    /// <summary>The strategy.</summary>
    public Strategy Strategy { get; init; } = Strategy.OneForOne;

    /// <summary>Restarts allowed within <see cref="PeriodSeconds"/> before the supervisor gives up (U7).</summary>
    public int Intensity { get; init; } = 1;

    /// <summary>The intensity window, in seconds.</summary>
    public int PeriodSeconds { get; init; } = 5;

    /// <summary>Automatic shutdown on significant children (U19).</summary>
    public AutoShutdown AutoShutdown { get; init; } = AutoShutdown.Never;
}
