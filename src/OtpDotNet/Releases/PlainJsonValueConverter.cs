using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Otp.Net.Releases;

/// <summary>
/// Reads and writes <see cref="object"/>-typed values (application env and args) as plain JSON values only: string,
/// whole numbers as long, other numbers as double, bool, null, arrays as <see cref="IReadOnlyList{T}"/> of object and
/// objects as <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to object. Writing anything else fails: a
/// release never carries a module's types.
/// </summary>
internal sealed class PlainJsonValueConverter : JsonConverter<object>
{
    private const int MaxDepth = 64;

    public override bool HandleNull => true;

    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader, 0);

    public override void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options) => WriteValue(writer, value, 0);

    private static object? ReadValue(ref Utf8JsonReader reader, int depth)
    {
        if (depth > MaxDepth) throw new JsonException("env value nested too deeply");
        switch (reader.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble();
            case JsonTokenType.StartArray:
            {
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(ReadValue(ref reader, depth + 1));
                return list.AsReadOnly();
            }
            case JsonTokenType.StartObject:
            {
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    if (!map.TryAdd(key, ReadValue(ref reader, depth + 1))) throw new JsonException($"duplicate key '{key}'");
                }
                return map.AsReadOnly();
            }
            default:
                throw new JsonException($"unexpected {reader.TokenType}");
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth) throw new JsonException("env value nested too deeply (or cyclic)");
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): writer.WriteNumberValue(f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case IReadOnlyDictionary<string, object?> map: WriteMap(writer, map, depth); break;
            case IDictionary<string, object?> map: WriteMap(writer, map, depth); break;
            case IDictionary map:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    if (entry.Key is not string key) throw new JsonException($"a map key of type {entry.Key.GetType().FullName} is not a string");
                    writer.WritePropertyName(key);
                    WriteValue(writer, entry.Value, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list) WriteValue(writer, item, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                throw new JsonException($"a value of type {value.GetType().FullName} is not a plain JSON value (string, number, bool, null, list or string-keyed map)");
        }
    }

    private static void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> map, int depth)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in map)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, item, depth + 1);
        }
        writer.WriteEndObject();
    }
}
