namespace Otp.Net.Releases;

/// <summary>
/// Implemented by a module's callback class (a GenServer, supervisor, application or process module) whose actions an
/// <see cref="ApplyInstruction"/> can run during a release install.
/// </summary>
public interface IReleaseActions
{
    /// <summary>Runs <paramref name="action"/> on <paramref name="node"/>; throwing fails the install, which then rolls back.</summary>
    Task ApplyAsync(Node node, string action, object? args, CancellationToken cancellationToken);
}
