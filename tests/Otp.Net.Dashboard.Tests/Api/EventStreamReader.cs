using System.Text.Json;

namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>Reads a server-sent-events response one event at a time.</summary>
internal sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public static async Task<EventStreamReader> OpenAsync(HttpClient client, string path = "/otp/api/events")
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new EventStreamReader(response, await response.Content.ReadAsStreamAsync());
        (await reader.NextAsync(TimeSpan.FromSeconds(10))).Kind.Should().Be("hello"); // the viewer has joined
        return reader;
    }

    public async Task<(string Kind, JsonElement Data)> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? kind = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && kind is not null) return (kind, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
        }
    }

    /// <summary>The first event of <paramref name="kind"/> that satisfies <paramref name="match"/>, within <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string kind, Func<JsonElement, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"no {kind} event within {timeout}");
            var (k, data) = await NextAsync(left);
            if (k == kind && match(data)) return data;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
