using System.CommandLine;

namespace Otp.Net.Tool.Commands;

/// <summary>The commands that talk to a running node through its control socket.</summary>
internal static class ControlCommands
{
    public static IEnumerable<Command> Create() => [];
}
