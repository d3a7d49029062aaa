namespace Otp.Net.GenServers;

/// <summary>How to start a GenServer.</summary>
public sealed record GenServerOptions
{
    /// <summary>Default options: no name, wait for Init as long as it takes.</summary>
    public static GenServerOptions Default { get; } = new();

    /// <summary>
    /// Register the server under this name: a local name (a string) or a <see cref="ViaName"/>. A taken name gives
    /// <c>{error, {already_started, Pid}}</c>. A via-name is registered by the new process itself, before <c>Init</c>.
    /// </summary>
    public ServerName? Name { get; init; }

    /// <summary>How long the starter waits for Init (default: infinity, as gen_server).</summary>
    public TimeSpan StartTimeout { get; init; } = Timeout.InfiniteTimeSpan;
}
