using System.CommandLine;
using Otp.Net.Tool.Commands;

var release = new Command("release", "Build, compare and install Otp.Net releases.");
foreach (var command in BuildCommands.Create()) release.Subcommands.Add(command);
foreach (var command in ControlCommands.Create()) release.Subcommands.Add(command);

var root = new RootCommand("otpnet: the release tool of Otp.Net.") { release };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
