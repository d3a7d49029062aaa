using System.Diagnostics;

namespace Otp.Net.Tool.Analysis;

/// <summary>Builds a project with <c>dotnet build</c>, deterministically, and returns the assembly it produced.</summary>
internal static class ProjectBuild
{
    /// <summary>
    /// Runs <c>dotnet build PROJECT -c CONFIGURATION -p:Deterministic=true -p:ContinuousIntegrationBuild=true
    /// -t:Build --getProperty:TargetPath</c> and returns the path it prints.
    /// </summary>
    /// <exception cref="ToolException">The project does not exist or does not build.</exception>
    public static async Task<string> BuildAsync(string project, string configuration, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(project)) throw new ToolException($"the spec names project {project}, which does not exist");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "build", project, "-c", configuration, "-nologo", "-p:Deterministic=true", "-p:ContinuousIntegrationBuild=true", "-t:Build", "--getProperty:TargetPath" })
            start.ArgumentList.Add(arg);
        log.WriteLine($"building {project} ({configuration})");
        using var process = Process.Start(start) ?? throw new ToolException("cannot start dotnet");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var text = await output.ConfigureAwait(false);
        var errors = await error.ConfigureAwait(false);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0)
        {
            var tail = string.Join(Environment.NewLine, lines.Concat(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries)).TakeLast(20));
            throw new ToolException($"dotnet build {project} failed (exit code {process.ExitCode}):{Environment.NewLine}{tail}");
        }
        var path = lines.LastOrDefault(l => l.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        if (path is null || !File.Exists(path)) throw new ToolException($"dotnet build {project} named no assembly (TargetPath '{path}')");
        return path;
    }
}
