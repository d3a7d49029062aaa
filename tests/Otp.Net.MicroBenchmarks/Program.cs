using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Otp.Net.MicroBenchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Otp.Net.MicroBenchmarks.MessagePathBenchmarks).Assembly).Run(args);
