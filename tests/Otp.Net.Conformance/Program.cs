using Otp.Net.Conformance;

// Usage:
//   Otp.Net.Conformance path/to/NAME.scn
//       prints the scenario's trace on standard output (the runner contract of the conformance suite).
//   Otp.Net.Conformance --check N DIR [FILTER...]
//       runs every DIR/scenarios/*.scn whose name contains one of the FILTERs (all if none) N times in this process,
//       each run on a fresh node, compares each trace with DIR/expected/NAME.out and prints "PASS name N/N" or
//       "FAIL name F/N failed" (with the first difference), then "N passed, M failed" counting runs. Quick, but warm:
//       ordering races show far more often with a fresh process per run (build/conformance.sh without -p).
if (args.Length >= 3 && args[0] == "--check")
{
    return await SuiteCheck.RunAsync(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), args[2], args[3..], Console.Out);
}
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Otp.Net.Conformance path/to/NAME.scn | Otp.Net.Conformance --check N DIR [FILTER...]");
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
