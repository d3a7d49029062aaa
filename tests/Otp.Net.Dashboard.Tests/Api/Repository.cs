namespace Otp.Net.Dashboard.Tests.Api;

/// <summary>Where the repository is, and the module versions built under tests/fixtures.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The counter module, version <paramref name="version"/> (tests/fixtures/Counter.V{version}).</summary>
    public static string Counter(int version)
    {
        var path = Path.Combine(Root, "tests", "fixtures", $"Counter.V{version}", "bin", Configuration, "net10.0", "Counter.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"fixture not built: {path}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Otp.Net.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Otp.Net.sln not found above the test assembly");
    }
}
