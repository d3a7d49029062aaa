using Otp.Net.Conformance;

// Usage: Otp.Net.Conformance path/to/NAME.scn — prints the scenario's trace on standard output.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Otp.Net.Conformance path/to/NAME.scn");
    return 2;
}
Scenario scenario;
try
{
    scenario = Scenario.Parse(File.ReadLines(args[0]));
}
catch (Exception ex) when (ex is ScenarioException or IOException)
{
    Console.Error.WriteLine($"malformed scenario: {ex.Message}");
    return 1;
}
var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false, NewLine = "\n" };
try
{
    await ScenarioRunner.RunAsync(scenario, stdout);
}
catch (ScenarioException ex)
{
    await stdout.FlushAsync();
    Console.Error.WriteLine($"scenario error: {ex.Message}");
    return 1;
}
await stdout.FlushAsync();
return 0;
