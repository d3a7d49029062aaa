using Otp.Net.Processes;

namespace Otp.Net.Applications;

/// <summary>What <see cref="Application.StartAsync"/> returns (A3): the top supervisor and an optional state, or an error.</summary>
public sealed class ApplicationStart
{
    private ApplicationStart(Pid top, object? state, ExitReason? error)
    {
        TopSupervisor = top;
        State = state;
        Error = error;
    }

    /// <summary>The application's top supervisor.</summary>
    public Pid TopSupervisor { get; }

    /// <summary>The state handed to <c>PrepStop</c> and <c>Stop</c>.</summary>
    public object? State { get; }

    /// <summary>The error, for <c>{error, R}</c>.</summary>
    public ExitReason? Error { get; }

    /// <summary><c>{ok, Pid}</c> or <c>{ok, Pid, State}</c>.</summary>
    public static ApplicationStart Ok(Pid topSupervisor, object? state = null) => new(topSupervisor, state, null);

    /// <summary><c>{error, R}</c>.</summary>
    public static ApplicationStart Failed(ExitReason reason) => new(default, null, reason ?? throw new ArgumentNullException(nameof(reason)));
}
