using Otp.Net.Processes;

namespace Otp.Net.Code;

/// <summary>
/// A module whose code runs a bare process (no behaviour): the process runs the version it was spawned from for its
/// whole life, as a process looping in local calls does in Erlang, and dies when that version is purged (C5).
/// </summary>
public interface IProcessModule
{
    /// <summary>The process body.</summary>
    Task RunAsync(ProcessContext context, object? args);
}
