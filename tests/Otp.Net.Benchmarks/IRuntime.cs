namespace Otp.Net.Benchmarks;

/// <summary>One column of the table: a runtime implementing the workloads it supports.</summary>
internal interface IRuntime
{
    string Name { get; }

    /// <summary>Runs the workload (warm-up and measured run) and prints RESULT lines; false if unsupported.</summary>
    Task<bool> RunAsync(string workload, string[] args);
}
