using Otp.Net.Benchmarks;

// Usage: Otp.Net.Benchmarks suite [workload...]
//        Otp.Net.Benchmarks <runtime> <workload> <args...>
//   runtime: otpnet | akka | proto | channel
//   workload: spawn N | pingpong N | oneway N | pairs P M | call C N | restart N | upgrade K C  (see WORKLOADS.md)
//   otpnet only: upgrade_release K C [rolling [batch]] (W7 through the release handler)
//   between two node processes (otpnet | akka | proto): remote_pingpong N | remote_call C N
//   otpnet only (linear-scaling checks, see ScalingWorkloads.cs): suspend N | selective N | dyncrash N | sofocrash N | dynstop N
_ = JitWatch.Instance; // OTPNET_JITEVENTS=1: tiered-compilation events on stderr
if (args.Length >= 1 && args[0] == "suite")
{
    // suite [workload...]: every runtime, medians of 3 fresh runs, as a markdown table
    return await Suite.RunAsync(args[1..], runs: 3);
}
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: <otpnet|channel> <workload> <args...>");
    return 2;
}
if (RemoteWorkloads.Handles(args[1]))
{
    if (await RemoteWorkloads.RunAsync(args[0], args[1], args[2..])) return 0;
    Console.WriteLine("UNSUPPORTED");
    return 3;
}
IRuntime runtime = args[0] switch
{
    "otpnet" => new OtpNetRuntime(),
    "otpnet-dashboard" => new OtpNetRuntime(dashboard: true),
    "channel" => new ChannelRuntime(),
    "akka" => new AkkaRuntime(),
    "proto" => new ProtoRuntime(),
    _ => throw new ArgumentException($"unknown runtime {args[0]}"),
};
if (!await runtime.RunAsync(args[1], args[2..]))
{
    Console.WriteLine("UNSUPPORTED");
    return 3;
}
return 0;
