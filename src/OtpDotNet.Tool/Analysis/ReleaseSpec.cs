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

    /// <summary>Reads the spec at <paramref name="path"/>.</summary>
    /// <exception cref="ToolException">No such file, or not a valid spec.</exception>
    public static async Task<ReleaseSpec> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new ToolException($"no release spec at {path}");
        try
        {
            var spec = ReleaseJson.Deserialize<ReleaseSpec>(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), path);
            if (spec.Applications.Count == 0) throw new ToolException($"{path}: the release has no applications");
            foreach (var app in spec.Applications)
            {
                if (app.Projects.Count + app.Assemblies.Count == 0) throw new ToolException($"{path}: application {app.Name} lists no projects and no assemblies");
            }
            return spec;
        }
        catch (ReleaseException e)
        {
            throw new ToolException(e.Message, e);
        }
    }
}
