using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Otp.Net.Dashboard;

/// <summary>The page's files, embedded in the assembly: read once, served with an ETag, nothing fetched from elsewhere.</summary>
internal static class DashboardAssets
{
    public sealed record Asset(byte[] Content, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Files = Load();

    /// <summary>index.html, with <c>%OTP_BASE%</c> to be replaced by the dashboard's path.</summary>
    public static string IndexTemplate { get; } = Files.TryGetValue("index.html", out var index) ? Encoding.UTF8.GetString(index.Content) : "";

    public static Asset? Find(string name) => Files.GetValueOrDefault(name);

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("wwwroot/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var name = resource["wwwroot/".Length..];
            files[name] = new Asset(content, ContentType(name), "\"" + Convert.ToHexString(SHA256.HashData(content).AsSpan(0, 8)) + "\"");
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".html" => "text/html; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
