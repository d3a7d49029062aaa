using System.Text.Json.Nodes;

namespace Otp.Net.Releases;

/// <summary>The upgrade or downgrade instructions from or to one other version (a relup entry).</summary>
/// <param name="Version">The other version.</param>
public sealed record RelupEntry(string Version)
{
    /// <summary>The instructions, in order.</summary>
    public IReadOnlyList<JsonNode> Instructions { get; init; } = [];
}
