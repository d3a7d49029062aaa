using Otp.Net.Processes;

namespace Otp.Net.GenServers;

/// <summary>
/// The caller of a <c>call</c>, handed to <c>HandleCall</c>: reply to it later with <see cref="GenServer.Reply"/>
/// (deferred reply, G11). A reply token is one-shot: only the first reply counts, and a reply after the caller gave
/// up (timeout) is dropped (G7).
/// </summary>
public readonly struct From : IEquatable<From>
{
    internal From(CallReply sink) => Sink = sink;

    internal CallReply? Sink { get; }

    /// <summary>The calling process (undefined when the caller is code outside any process).</summary>
    public Pid Caller => Sink?.Caller ?? default;

    /// <inheritdoc />
    public bool Equals(From other) => ReferenceEquals(Sink, other.Sink);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is From f && Equals(f);

    /// <inheritdoc />
    public override int GetHashCode() => Sink?.GetHashCode() ?? 0;

    /// <summary>Equality.</summary>
    public static bool operator ==(From left, From right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(From left, From right) => !left.Equals(right);
}
