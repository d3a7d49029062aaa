using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Otp.Net.Releases;

/// <summary>
/// The JSON settings of every release document (manifests, hashes, signatures, the releases file): camelCase names
/// and enum values, indented, strict about nullability and required constructor parameters. The options own a
/// resolver instance of their own, so their metadata cache is not shared with the default options; only framework
/// records are ever serialized with them, never a module's types (System.Text.Json caches would pin a module's
/// load context, see docs/hotswap-notes.md). Tools that read and write release documents (a manifest, a reviewed
/// list of <see cref="AppupInstruction"/>s) use the same settings through this class.
/// </summary>
public static class ReleaseJson
{
    /// <summary>The settings (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Writes <paramref name="value"/> as an indented UTF-8 JSON document.</summary>
    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Reads <paramref name="utf8"/> as a <typeparamref name="T"/>; a bad document is a
    /// <see cref="ReleaseException"/> of <paramref name="kind"/> naming <paramref name="path"/>.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8, string path, ReleaseErrorKind kind = ReleaseErrorKind.Malformed, string? version = null)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8, Options)
                ?? throw new ReleaseException(kind, $"{path} is null", path, version);
        }
        catch (JsonException e)
        {
            throw new ReleaseException(kind, $"{path} is not a valid document: {e.Message}", path, version, e);
        }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
                new PlainJsonValueConverter(),
            },
        };
        options.MakeReadOnly();
        return options;
    }
}
