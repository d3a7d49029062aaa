namespace Otp.Net.Releases;

/// <summary>The names of a release's files and the rules every path and version obeys before it touches the disk.</summary>
internal static class ReleasePaths
{
    public const string Manifest = "release.json";
    public const string Hashes = "hashes.json";
    public const string Signature = "signature.json";
    public const string ReleasesFile = "RELEASES.json";

    /// <summary>The prefix of temporary files and folders in a releases directory; whatever carries it is garbage
    /// left by a crash and is removed when the directory is opened.</summary>
    public const string TempPrefix = ".tmp-";

    /// <summary>Null when <paramref name="path"/> is a relative path with forward slashes, no empty, '.' or '..' segment,
    /// no backslash, colon or control character; otherwise why not.</summary>
    public static string? CheckRelative(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "the path is empty";
        if (path.StartsWith('/')) return "the path is absolute";
        if (path.Contains('\\', StringComparison.Ordinal)) return "the path contains a backslash";
        if (path.Contains(':', StringComparison.Ordinal)) return "the path contains a colon";
        if (path.Any(char.IsControl)) return "the path contains a control character";
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0) return "the path has an empty segment";
            if (segment is "." or "..") return "the path has a '.' or '..' segment";
        }
        return null;
    }

    /// <summary>Null when <paramref name="version"/> can name a folder: letters, digits, '.', '-', '_' and '+', not
    /// starting with '.'; otherwise why not.</summary>
    public static string? CheckVersion(string? version)
    {
        if (string.IsNullOrEmpty(version)) return "the version is empty";
        if (version.Length > 128) return "the version is longer than 128 characters";
        if (version.StartsWith('.')) return "the version starts with '.'";
        return version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+')
            ? null
            : "the version may hold only letters, digits, '.', '-', '_' and '+'";
    }

    /// <summary>The full path of <paramref name="relative"/> (already checked) under <paramref name="root"/>.</summary>
    public static string Under(string root, string relative) =>
        Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Throws <see cref="ReleaseException"/> (<see cref="ReleaseErrorKind.Malformed"/>) unless the manifest is
    /// complete and every name, version and path in it is usable.</summary>
    public static void Validate(ReleaseManifest? manifest)
    {
        if (manifest is null) throw Malformed("the manifest is null", null);
        if (string.IsNullOrWhiteSpace(manifest.Name)) throw Malformed("the release has no name", manifest.Version);
        if (CheckVersion(manifest.Version) is { } badVersion) throw Malformed($"release version '{manifest.Version}': {badVersion}", manifest.Version);
        var version = manifest.Version;
        if (manifest.Applications is null) throw Malformed("the release lists no applications", version);
        if (manifest.Host is null || manifest.Host.Contracts is null || manifest.Host.Contracts.Any(c => c is null))
            throw Malformed("the release's host requirements are incomplete", version);
        if (manifest.Upgrades is null || manifest.Downgrades is null || manifest.Upgrades.Concat(manifest.Downgrades).Any(e => e is null || string.IsNullOrEmpty(e.Version) || e.Instructions is null))
            throw Malformed("the release's upgrade or downgrade entries are incomplete", version);

        var apps = new HashSet<string>(StringComparer.Ordinal);
        var modules = new HashSet<string>(StringComparer.Ordinal);
        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var app in manifest.Applications)
        {
            if (app is null || string.IsNullOrWhiteSpace(app.Name) || string.IsNullOrWhiteSpace(app.Version))
                throw Malformed("an application has no name or version", version);
            if (!apps.Add(app.Name)) throw Malformed($"the application {app.Name} is listed twice", version);
            if (app.Modules is null || app.Files is null || app.Applications is null || app.Env is null || app.Description is null
                || app.Applications.Any(a => a is null))
                throw Malformed($"the application {app.Name} is incomplete", version);
            foreach (var module in app.Modules)
            {
                if (module is null || string.IsNullOrWhiteSpace(module.Name) || string.IsNullOrWhiteSpace(module.Version))
                    throw Malformed($"a module of {app.Name} has no name or version", version);
                if (!modules.Add(module.Name)) throw Malformed($"the module {module.Name} is listed twice", version);
                CheckFile(module.File, version, files);
            }
            foreach (var file in app.Files) CheckFile(file, version, files);
        }
    }

    private static void CheckFile(string? file, string version, HashSet<string> seen)
    {
        if (CheckRelative(file) is { } why) throw new ReleaseException(ReleaseErrorKind.Malformed, $"file '{file}': {why}", file, version);
        if (file is Manifest or Hashes or Signature)
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"file '{file}' has a name the package reserves", file, version);
        if (seen.TryGetValue(file!, out var earlier) && !string.Equals(earlier, file, StringComparison.Ordinal))
            throw new ReleaseException(ReleaseErrorKind.Malformed, $"files '{earlier}' and '{file}' differ only in case", file, version);
        seen.Add(file!);
    }

    private static ReleaseException Malformed(string message, string? version) =>
        new(ReleaseErrorKind.Malformed, message, ReleasePaths.Manifest, version);
}
