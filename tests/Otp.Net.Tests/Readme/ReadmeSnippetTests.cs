using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Otp.Net.Tests.Readme;

/// <summary>
/// Every C# block of the README is a file of a project under examples/Snippets (built with the settings of a fresh
/// console project), word for word; a block followed by <c>&lt;!-- output --&gt;</c> and a text block is run, and
/// what it prints must be that text.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var block in ReadBlocks()) data.Add(block.Label);
        return data;
    }

    [Fact]
    public void Readme_EveryCSharpBlock_IsASnippetFile()
    {
        var blocks = ReadBlocks();
        blocks.Should().NotBeEmpty();
        foreach (var block in blocks)
        {
            block.Path.Should().NotBeNull($"the C# block at README line {block.Line} must be preceded by <!-- snippet: examples/Snippets/<Project>/<File>.cs -->");
            var file = System.IO.Path.Combine(Repository.Root, block.Path!);
            File.Exists(file).Should().BeTrue($"README line {block.Line} names {block.Path}");
            Normalize(File.ReadAllText(file)).Should().Be(Normalize(block.Code), $"README line {block.Line} must show {block.Path} as it is");
        }
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Readme_RunnableSnippet_PrintsWhatTheReadmeShows(string label)
    {
        var block = ReadBlocks().Single(b => b.Label == label);
        if (block.Output is null) return; // compiled by the build, nothing to run
        var project = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.Combine(Repository.Root, block.Path!)))!;
        var dll = System.IO.Path.Combine(Repository.Root, "examples", "Snippets", project, "bin", Repository.Configuration, "net10.0", project + ".dll");
        File.Exists(dll).Should().BeTrue($"{dll} is built by the test project's reference to {project}.csproj");

        using var run = Process.Start(new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = System.IO.Path.GetDirectoryName(dll)!,
        })!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await run.WaitForExitAsync(safety.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} did not exit within 2 minutes; printed: {await stdout}");
        }
        run.ExitCode.Should().Be(0, $"{project} failed: {await stderr}");
        Normalize(await stdout).Should().Be(Normalize(block.Output), $"{project} must print what README line {block.Line} shows");
    }

    private sealed record Block(int Line, string? Path, string Code, string? Output)
    {
        public string Label => Path ?? $"README line {Line}";
    }

    private static List<Block> ReadBlocks()
    {
        var lines = File.ReadAllLines(System.IO.Path.Combine(Repository.Root, "README.md"));
        var blocks = new List<Block>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```csharp", StringComparison.Ordinal)) continue;
            var start = i;
            var code = ReadFence(lines, ref i);
            var marker = PreviousNonEmpty(lines, start) is { } prev ? SnippetMarker().Match(prev) : Match.Empty;
            string? output = null;
            var next = NextNonEmpty(lines, i + 1);
            if (next is { } n && lines[n].Trim() == "<!-- output -->")
            {
                var fence = NextNonEmpty(lines, n + 1);
                if (fence is { } f && lines[f].StartsWith("```", StringComparison.Ordinal))
                {
                    i = f;
                    output = ReadFence(lines, ref i);
                }
            }
            blocks.Add(new Block(start + 1, marker.Success ? marker.Groups[1].Value : null, code, output));
        }
        return blocks;
    }

    private static string ReadFence(string[] lines, ref int i)
    {
        var body = new List<string>();
        for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++) body.Add(lines[i]);
        return string.Join('\n', body);
    }

    private static string? PreviousNonEmpty(string[] lines, int i)
    {
        for (i--; i >= 0; i--)
            if (lines[i].Trim().Length > 0) return lines[i];
        return null;
    }

    private static int? NextNonEmpty(string[] lines, int i)
    {
        for (; i < lines.Length; i++)
            if (lines[i].Trim().Length > 0) return i;
        return null;
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).Trim('\n');

    [GeneratedRegex(@"^<!--\s*snippet:\s*(\S+)\s*-->\s*$")]
    private static partial Regex SnippetMarker();

}
