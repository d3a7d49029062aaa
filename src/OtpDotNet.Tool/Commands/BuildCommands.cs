using System.CommandLine;
using Otp.Net.Releases;
using Otp.Net.Tool.Analysis;

namespace Otp.Net.Tool.Commands;

/// <summary>The commands that work on files: <c>release build</c>, <c>release diff</c>, <c>release appup</c>.</summary>
internal static class BuildCommands
{
    public static IEnumerable<Command> Create() => [Build(), Diff(), Appup()];

    private static Command Build()
    {
        var spec = new Argument<FileInfo>("spec") { HelpName = "SPEC", Description = "The release spec (otp-release.json)." };
        var output = new Option<DirectoryInfo>("--out") { HelpName = "DIR", Description = "Where to write <name>-<version>.zip (default: the current folder)." };
        var key = new Option<FileInfo>("--key") { HelpName = "KEY.pem", Description = "A P-256 private key (PEM) to sign the package with; its file name is the key id." };
        var from = new Option<FileInfo[]>("--from") { HelpName = "OLD_PACKAGE", Description = "An older release package: its upgrade and downgrade entries are computed and embedded (repeatable).", AllowMultipleArgumentsPerToken = true };
        var configuration = new Option<string>("--configuration", "-c") { HelpName = "CONFIGURATION", Description = "The configuration projects are built in.", DefaultValueFactory = _ => "Release" };
        var allowDelegates = new Option<bool>("--allow-delegates") { Description = "Accept delegates in a changed GenServer's state in the --from diffs (noted as a warning)." };
        var command = new Command("build", "Build a release package from a release spec: deterministic builds, modules found from [OtpModule], host requirements, relup entries.")
        {
            spec, output, key, from, configuration, allowDelegates,
        };
        command.SetAction((result, ct) => RunAsync(result, async (log, token) =>
        {
            await ReleaseBuilder.BuildAsync(
                result.GetRequiredValue(spec).FullName,
                result.GetValue(output)?.FullName,
                result.GetValue(key)?.FullName,
                [.. (result.GetValue(from) ?? []).Select(f => f.FullName)],
                result.GetValue(configuration) ?? "Release",
                result.GetValue(allowDelegates),
                log,
                token).ConfigureAwait(false);
            return 0;
        }, ct));
        return command;
    }

    private static Command Diff()
    {
        var old = new Argument<FileInfo>("old") { HelpName = "OLD", Description = "The older release package." };
        var @new = new Argument<FileInfo>("new") { HelpName = "NEW", Description = "The newer release package." };
        var output = new Option<FileInfo>("--out") { HelpName = "FILE", Description = "Writes { from, to, upgrade, downgrade } as JSON, to review, edit and pass to `release appup --instructions`." };
        var scaffold = new Option<DirectoryInfo>("--scaffold") { HelpName = "DIR", Description = "Writes C# for each state change that lacks a CodeChange: the old shape as records and a CodeChangeAsync stub." };
        var allowDelegates = new Option<bool>("--allow-delegates") { Description = "Accept delegates in a changed GenServer's state (noted as a warning)." };
        var command = new Command("diff", "Compare two release packages and decide, module by module, the upgrade and downgrade instructions.")
        {
            old, @new, output, scaffold, allowDelegates,
        };
        command.SetAction((result, ct) => RunAsync(result, async (log, token) =>
        {
            using var before = await ReleaseImage.OpenPackageAsync(result.GetRequiredValue(old).FullName, token).ConfigureAwait(false);
            using var after = await ReleaseImage.OpenPackageAsync(result.GetRequiredValue(@new).FullName, token).ConfigureAwait(false);
            ReleaseDiff.RequireOrder(before, after);
            var diff = ReleaseDiff.Compute(before, after, result.GetValue(allowDelegates));
            diff.Print(log);
            if (result.GetValue(scaffold) is { } directory && diff.Scaffolds.Count > 0)
            {
                try
                {
                    directory.Create();
                    foreach (var (name, text) in diff.Scaffolds)
                    {
                        var path = Path.Combine(directory.FullName, name);
                        await File.WriteAllTextAsync(path, text, token).ConfigureAwait(false);
                        log.WriteLine($"wrote {path}");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ToolException($"cannot write the scaffolds to {directory.FullName}: {e.Message}", e);
                }
            }
            if (diff.Failed) return 1;
            if (result.GetValue(output) is { } file)
            {
                try
                {
                    await File.WriteAllBytesAsync(file.FullName, ReleaseJson.Serialize(diff.ToDocument()), token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ToolException($"cannot write {file.FullName}: {e.Message}", e);
                }
                log.WriteLine($"wrote {file.FullName}");
            }
            return 0;
        }, ct));
        return command;
    }

    private static Command Appup()
    {
        var old = new Argument<FileInfo>("old") { HelpName = "OLD", Description = "The older release package." };
        var @new = new Argument<FileInfo>("new") { HelpName = "NEW", Description = "The newer release package, whose entries for the older version are replaced." };
        var instructions = new Option<FileInfo>("--instructions") { HelpName = "FILE", Description = "A reviewed `release diff --out` document to use instead of a fresh diff." };
        var key = new Option<FileInfo>("--key") { HelpName = "KEY.pem", Description = "A P-256 private key (PEM) to sign the rewritten package with (required when the package is signed)." };
        var output = new Option<FileInfo>("--out") { HelpName = "NEW_PACKAGE", Description = "Where to write the rewritten package (default: over NEW)." };
        var allowDelegates = new Option<bool>("--allow-delegates") { Description = "Accept delegates in a changed GenServer's state." };
        var command = new Command("appup", "Replace a package's upgrade and downgrade entries for an older release, computed afresh or from a reviewed file.")
        {
            old, @new, instructions, key, output, allowDelegates,
        };
        command.SetAction((result, ct) => RunAsync(result, async (log, token) =>
        {
            await Analysis.Appup.RewriteAsync(
                result.GetRequiredValue(old).FullName,
                result.GetRequiredValue(@new).FullName,
                result.GetValue(instructions)?.FullName,
                result.GetValue(key)?.FullName,
                result.GetValue(output)?.FullName,
                result.GetValue(allowDelegates),
                log,
                token).ConfigureAwait(false);
            return 0;
        }, ct));
        return command;
    }

    /// <summary>Runs a command's body: a <see cref="ToolException"/> is printed as one error line and exit code 1.</summary>
    private static async Task<int> RunAsync(ParseResult result, Func<TextWriter, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        var output = Cli.Out(result);
        try
        {
            return await body(output, ct).ConfigureAwait(false);
        }
        catch (ToolException e)
        {
            await Cli.Error(result).WriteLineAsync($"otpnet: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file the tool could not read or write, not foreseen by a more precise message: still one line, not a stack trace.
            await Cli.Error(result).WriteLineAsync($"otpnet: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
