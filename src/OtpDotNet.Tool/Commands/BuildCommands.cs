using System.CommandLine;

namespace Otp.Net.Tool.Commands;

/// <summary>The commands that work on files: <c>release build</c>, <c>release diff</c>, <c>release appup</c>.</summary>
internal static class BuildCommands
{
    public static IEnumerable<Command> Create() => [];
}
