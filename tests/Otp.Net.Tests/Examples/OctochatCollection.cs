namespace Otp.Net.Tests.Examples;

/// <summary>
/// The octochat tests run one after the other: each drives a node full of live sockets, and a release step's check that
/// a migrated state (a socket) reaches no object of the version left walks the socket's runtime internals, which the
/// other test's connections would crowd.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OctochatCollection
{
    public const string Name = "octochat";
}
