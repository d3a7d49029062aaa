using Otp.Net.Benchmarks;

// Usage: Otp.Net.Benchmarks <runtime> <workload> <args...>
//   runtime: otpnet | channel
//   workload: spawn N | pingpong N | oneway N  (see WORKLOADS.md)
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: <otpnet|channel> <workload> <args...>");
    return 2;
}
IRuntime runtime = args[0] switch
{
    "otpnet" => new OtpNetRuntime(),
    "channel" => new ChannelRuntime(),
    _ => throw new ArgumentException($"unknown runtime {args[0]}"),
};
if (!await runtime.RunAsync(args[1], args[2..]))
{
    Console.WriteLine("UNSUPPORTED");
    return 3;
}
return 0;
