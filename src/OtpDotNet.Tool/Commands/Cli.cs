using System.CommandLine;

namespace Otp.Net.Tool.Commands;

/// <summary>The <c>otpnet</c> command line.</summary>
internal static class Cli
{
    /// <summary>The root command, with every subcommand.</summary>
    public static RootCommand Root()
    {
        var release = new Command("release", "Build, compare and install Otp.Net releases.");
        foreach (var command in BuildCommands.Create()) release.Subcommands.Add(command);
        foreach (var command in ControlCommands.Create()) release.Subcommands.Add(command);
        return new RootCommand("otpnet: the release tool of Otp.Net.") { release };
    }

    /// <summary>Where a command writes its output.</summary>
    public static TextWriter Out(ParseResult parse) => parse.InvocationConfiguration.Output;

    /// <summary>Where a command writes its errors.</summary>
    public static TextWriter Error(ParseResult parse) => parse.InvocationConfiguration.Error;
}
