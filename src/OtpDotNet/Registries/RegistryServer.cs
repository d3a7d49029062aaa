using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Registries;

/// <summary>
/// The registry process (an Elixir registry partition): owns the table, traps exits, and removes the entries of a
/// registered process when that process's exit signal arrives through the link made at registration (D4).
/// </summary>
internal sealed class RegistryServer : GenServer<RegistryTable>
{
    public override string ModuleName => "Elixir.Registry";

    public override ValueTask<InitResult<RegistryTable>> InitAsync(object? args, CancellationToken cancellationToken)
    {
        Self.TrapExit = true;
        return new(Ok(RegistryTable.Create((LocalProcess)Self, (RegistryKeys)args!)));
    }

    public override ValueTask<ServerResult<RegistryTable>> HandleInfoAsync(object message, RegistryTable state, CancellationToken cancellationToken)
    {
        if (message is ExitMessage exit)
        {
            state.RemoveOwner(exit.From);
            return new(NoReply(state));
        }
        return base.HandleInfoAsync(message, state, cancellationToken);
    }

    public override object? FormatStatus(RegistryTable state) => new { state.Kind, Entries = state.Count };
}
