using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tests.Distribution;

public sealed record Ping(int N, Pid ReplyTo);

public sealed record Pong(int N, string From);

public sealed record Get(string Key) : ICall<string?>;

public sealed record Put(string Key, string Value);

public sealed record Nested(object? Inner, IReadOnlyList<int> Numbers, Dictionary<string, long> Counts);

public sealed record Slow(int Milliseconds) : ICall<string>;

/// <summary>Not in any allow-list.</summary>
public sealed class Unlisted
{
    public int X { get; init; }
}
