using System.Text.Json;
using System.Text.Json.Serialization;
using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// <c>otp-release.json</c>: what <c>otpnet release build</c> builds. Paths are relative to the spec's folder.
/// <code>
/// { "name": "octochat", "version": "0.3.3",
///   "applications": [ { "name": "octochat", "version": "0.3.3", "description": "...", "mod": "octochat_app",
///                       "args": null, "env": { "port": 9999 }, "applications": [], "type": "permanent",
///                       "projects": ["Octochat.V033/Octochat.V033.csproj"], "assemblies": [], "files": [] } ],
///   "contracts": ["Octochat.Contracts"] }
/// </code>
/// </summary>
internal sealed record ReleaseSpec(string Name, string Version)
{
    public IReadOnlyList<ReleaseSpecApplication> Applications { get; init; } = [];

    /// <summary>The simple names of the shared contract assemblies the modules compile against (besides OtpDotNet).</summary>
    public IReadOnlyList<string> Contracts { get; init; } = [];

    /// <summary>The spec's JSON: the release documents' options, and a field the spec does not know is an error
    /// (a misspelt "assemblys" or "contract" would otherwise be dropped without a word).</summary>
    private static readonly JsonSerializerOptions Options = new(ReleaseJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>Reads the spec at <paramref name="path"/>.</summary>
    /// <exception cref="ToolException">No such file, or not a valid spec.</exception>
    public static async Task<ReleaseSpec> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new ToolException($"no release spec at {path}");
        ReleaseSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<ReleaseSpec>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), Options);
        }
        catch (JsonException e)
        {
            throw new ToolException($"{path} is not a valid release spec: {e.Message}", e);
        }
        if (spec is null) throw new ToolException($"{path} is not a valid release spec: it is null");
        Validate(spec, path);
        return spec;
    }

    /// <summary>What the spec must say before anything is built: names and versions that can name the package and
    /// its folders, at least one application, each listed once, no null entries.</summary>
    private static void Validate(ReleaseSpec spec, string path)
    {
        if (Check(spec.Name) is { } badName) throw new ToolException($"{path}: release name '{spec.Name}': {badName}");
        if (Check(spec.Version) is { } badVersion) throw new ToolException($"{path}: release version '{spec.Version}': {badVersion}");
        if (spec.Applications.Count == 0) throw new ToolException($"{path}: the release has no applications");
        if (spec.Contracts.Any(string.IsNullOrWhiteSpace)) throw new ToolException($"{path}: contracts has an empty entry");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < spec.Applications.Count; i++)
        {
            var app = spec.Applications[i] ?? throw new ToolException($"{path}: applications[{i}] is null");
            if (Check(app.Name) is { } badApp) throw new ToolException($"{path}: applications[{i}]: name '{app.Name}': {badApp}");
            if (Check(app.Version) is { } badAppVersion) throw new ToolException($"{path}: application {app.Name}: version '{app.Version}': {badAppVersion}");
            if (!names.Add(app.Name)) throw new ToolException($"{path}: application {app.Name} is listed twice");
            if (app.Projects.Concat(app.Assemblies).Concat(app.Files).Concat(app.Applications).Any(string.IsNullOrWhiteSpace))
                throw new ToolException($"{path}: application {app.Name} has an empty entry in its projects, assemblies, files or applications");
            if (app.Projects.Count + app.Assemblies.Count == 0) throw new ToolException($"{path}: application {app.Name} lists no projects and no assemblies");
        }
    }

    /// <summary>Null when <paramref name="value"/> can be part of a file or folder name of the package
    /// (<c>NAME-VERSION.zip</c>, <c>lib/APP-VERSION/</c>): letters, digits, '.', '-', '_' and '+', not starting
    /// with '.'; otherwise why not. The same rule the package checks release versions against.</summary>
    internal static string? Check(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "it is empty";
        if (value.Length > 128) return "it is longer than 128 characters";
        if (value.StartsWith('.')) return "it starts with '.'";
        return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+')
            ? null
            : "it may hold only letters, digits, '.', '-', '_' and '+' (it names the package and its folders)";
    }
}
