namespace Otp.Net.Tests.Diagnostics;

/// <summary>
/// Tests that listen to Otp.Net's activity source: the listener is process-wide, so they run alone (spans of other
/// tests would mix in, and other tests would pay for tracing).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "Tracing";
}
