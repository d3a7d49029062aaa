namespace Otp.Net.Conformance;

/// <summary>Runs scenarios of a suite directory repeatedly in one process and compares their traces with the golden ones.</summary>
internal static class SuiteCheck
{
    /// <summary>Returns 0 when every run of every selected scenario printed exactly its golden trace, 1 otherwise.</summary>
    public static async Task<int> RunAsync(int runs, string dir, string[] filters, TextWriter report)
    {
        var files = Directory.GetFiles(Path.Combine(dir, "scenarios"), "*.scn")
            .Where(f => filters.Length == 0 || filters.Any(Path.GetFileNameWithoutExtension(f).Contains))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var passed = 0;
        var failed = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var expectedPath = Path.Combine(dir, "expected", name + ".out");
            var expected = File.Exists(expectedPath) ? await File.ReadAllTextAsync(expectedPath) : null;
            var scenario = Scenario.Parse(File.ReadLines(file));
            var failures = 0;
            string? first = null;
            for (var run = 1; run <= runs; run++)
            {
                var actual = await RunOnceAsync(scenario);
                if (actual == expected) continue;
                failures++;
                first ??= $"run {run}:\n" + FirstDifference(expected ?? "", actual);
            }
            passed += runs - failures;
            failed += failures;
            await report.WriteLineAsync(failures == 0 ? $"PASS {name} {runs}/{runs}" : $"FAIL {name} {failures}/{runs} failed");
            if (first is not null) await report.WriteLineAsync(string.Join('\n', first.Split('\n').Select(l => "    " + l)));
            await report.FlushAsync();
        }
        await report.WriteLineAsync($"{passed} passed, {failed} failed");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private static async Task<string> RunOnceAsync(Scenario scenario)
    {
        using var output = new StringWriter { NewLine = "\n" };
        try
        {
            await ScenarioRunner.RunAsync(scenario, output).WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (Exception ex) when (ex is ScenarioException or TimeoutException)
        {
            output.Write($"!! {ex.GetType().Name}: {ex.Message}\n");
        }
        return output.ToString();
    }

    /// <summary>The lines from the first difference on, a few of each side.</summary>
    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var i = 0;
        while (i < e.Length && i < a.Length && e[i] == a[i]) i++;
        var from = Math.Max(0, i - 2);
        var lines = new List<string> { $"first difference at line {i + 1}; expected:" };
        lines.AddRange(e.Skip(from).Take(8).Select(l => "  " + l));
        lines.Add("actual:");
        lines.AddRange(a.Skip(from).Take(8).Select(l => "  " + l));
        return string.Join('\n', lines);
    }
}
