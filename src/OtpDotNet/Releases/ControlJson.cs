using System.Text.Json;

namespace Otp.Net.Releases;

/// <summary>The settings of control socket lines: <see cref="ReleaseJson.Options"/> on one line.</summary>
internal static class ControlJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(ReleaseJson.Options) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The line for <paramref name="value"/>, ending with '\n'.</summary>
    public static byte[] Line<T>(T value)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, Options);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>
    /// Reads one line of at most <paramref name="maxBytes"/> bytes from <paramref name="stream"/>; null at the end of
    /// the stream before any byte. A longer line is a <see cref="ReleaseException"/> of kind <see cref="ReleaseErrorKind.BadRequest"/>.
    /// </summary>
    public static async Task<byte[]?> ReadLineAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        var one = new byte[1];
        while (true)
        {
            var n = await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false);
            if (n == 0) return line.Length == 0 ? null : line.ToArray();
            if (one[0] == (byte)'\n') return line.ToArray();
            if (line.Length >= maxBytes) throw new ReleaseException(ReleaseErrorKind.BadRequest, $"a control line is longer than {maxBytes} bytes");
            line.WriteByte(one[0]);
        }
    }
}
