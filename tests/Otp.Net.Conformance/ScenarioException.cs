namespace Otp.Net.Conformance;

/// <summary>A malformed scenario.</summary>
internal sealed class ScenarioException(string message) : Exception(message);
