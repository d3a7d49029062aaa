namespace Otp.Net.Applications;

/// <summary>
/// An application callback module (OTP's <c>application</c> behaviour): <see cref="StartAsync"/> starts the top
/// supervisor; <see cref="PrepStopAsync"/> runs while the tree is still alive, then the tree is shut down, then
/// <see cref="StopAsync"/> runs (A4). <see cref="ConfigChangeAsync"/> is told of environment changes (A8).
/// </summary>
public abstract class Application
{
    /// <summary><c>Mod:start(StartType, Args)</c>: start the top supervisor (linked to the caller) and return it.</summary>
    public abstract Task<ApplicationStart> StartAsync(StartType startType, object? args, CancellationToken cancellationToken);

    /// <summary><c>prep_stop(State)</c>: runs while the tree lives; its result becomes the state for <see cref="StopAsync"/>.</summary>
    public virtual Task<object?> PrepStopAsync(object? state, CancellationToken cancellationToken) => Task.FromResult(state);

    /// <summary><c>stop(State)</c>: runs after the tree is gone; its result is ignored.</summary>
    public virtual Task StopAsync(object? state, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary><c>config_change(Changed, New, Removed)</c> (A8).</summary>
    public virtual Task ConfigChangeAsync(IReadOnlyDictionary<string, object?> changed, IReadOnlyDictionary<string, object?> added, IReadOnlyList<string> removed, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
