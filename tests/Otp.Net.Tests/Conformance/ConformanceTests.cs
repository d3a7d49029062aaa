using Otp.Net.Conformance;

namespace Otp.Net.Tests.Conformance;

/// <summary>
/// Runs every scenario of the OTP conformance suite and compares its trace byte for byte with the golden trace
/// recorded on Erlang/OTP 25 (tests/Otp.Net.Conformance/expected).
/// </summary>
public sealed class ConformanceTests
{
    private static string Dir(string sub) => Path.Combine(AppContext.BaseDirectory, sub);

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Dir("scenarios"), "*.scn").Order(StringComparer.Ordinal)) data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_TraceMatchesErlangOtp(string name)
    {
        var scenario = Scenario.Parse(File.ReadLines(Path.Combine(Dir("scenarios"), name + ".scn")));
        using var output = new StringWriter { NewLine = "\n" };
        await ScenarioRunner.RunAsync(scenario, output).WaitAsync(TimeSpan.FromMinutes(1));
        var expected = await File.ReadAllTextAsync(Path.Combine(Dir("expected"), name + ".out"));
        output.ToString().Should().Be(expected);
    }

    [Fact]
    public async Task ProcCommand_DeadProc_ResultIsExitNoprocAndTheScenarioGoesOn()
    {
        // As the reference runner: a command for a proc that is dead has no effect and gives exit noproc (§4.3).
        var scenario = Scenario.Parse(["proc p", "stop p", "monitor p p", "link p p", "exit p kill from=p", "alive p"]);
        using var output = new StringWriter { NewLine = "\n" };
        await ScenarioRunner.RunAsync(scenario, output).WaitAsync(TimeSpan.FromMinutes(1));
        output.ToString().Should().Be(
            "> proc p\ninit p#1\n> stop p\ndown p#1 normal\n= ok\n> monitor p p\n= exit noproc\n> link p p\n= exit noproc\n" +
            "> exit p kill from=p\n> alive p\n= false\n");
    }

    [Fact]
    public async Task SuiteCheck_RepeatsEachScenarioAndCountsDifferingRuns()
    {
        var dir = Directory.CreateTempSubdirectory("otp-conformance-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "scenarios"));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "expected"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "scenarios", "good.scn"), "proc p\nalive p\n");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "expected", "good.out"), "> proc p\ninit p#1\n> alive p\n= true\n");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "scenarios", "bad.scn"), "proc p\nalive p\n");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "expected", "bad.out"), "> proc p\ninit p#1\n> alive p\n= false\n");
            using var report = new StringWriter { NewLine = "\n" };

            var status = await SuiteCheck.RunAsync(3, dir.FullName, [], report).WaitAsync(TimeSpan.FromMinutes(1));

            status.Should().Be(1);
            var text = report.ToString();
            text.Should().Contain("FAIL bad 3/3 failed").And.Contain("PASS good 3/3").And.EndWith("3 passed, 3 failed\n");
            text.Should().Contain("first difference at line 4");
            (await SuiteCheck.RunAsync(2, dir.FullName, ["good"], TextWriter.Null)).Should().Be(0);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void MalformedScenario_IsRejectedWithAClearError()
    {
        var act = () => Scenario.Parse(["sup top one_for_none", "end"]);
        act.Should().Throw<ScenarioException>().WithMessage("*strategy*");
        var unterminated = () => Scenario.Parse(["sup top one_for_one", "  worker a"]);
        unterminated.Should().Throw<ScenarioException>().WithMessage("*unterminated*");
    }
}
