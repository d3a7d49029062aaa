namespace Otp.Net.Supervision;

/// <summary>A DynamicSupervisor's settings (D1). Defaults are Elixir's: 3 restarts in 5 s, no child limit.</summary>
public sealed record DynamicSupervisorOptions
{
    /// <summary>Restarts allowed within <see cref="PeriodSeconds"/>.</summary>
    public int Intensity { get; init; } = 3;

    /// <summary>The intensity window, in seconds.</summary>
    public int PeriodSeconds { get; init; } = 5;

    /// <summary>The most children held at once (restarting ones included); null for infinity.</summary>
    public int? MaxChildren { get; init; }

    /// <summary>Runs inside the supervisor process when it starts (Elixir's <c>init/1</c> of a DynamicSupervisor module).</summary>
    public Func<CancellationToken, ValueTask>? OnInit { get; init; }
}
