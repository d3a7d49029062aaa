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
    public void MalformedScenario_IsRejectedWithAClearError()
    {
        var act = () => Scenario.Parse(["sup top one_for_none", "end"]);
        act.Should().Throw<ScenarioException>().WithMessage("*strategy*");
        var unterminated = () => Scenario.Parse(["sup top one_for_one", "  worker a"]);
        unterminated.Should().Throw<ScenarioException>().WithMessage("*unterminated*");
    }
}
