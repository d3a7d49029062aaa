namespace Otp.Net.Tests.Code;

/// <summary>Paths of the separately compiled module versions under tests/fixtures.</summary>
internal static class Fixtures
{
    private static readonly string Root = FindRoot();

    private static readonly string Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Counter(int version) => PathOf($"Counter.V{version}", "Counter");

    public static string Kv(int version) => PathOf($"Kv.V{version}", "Kv");

    public static string CodePurge(int version) => PathOf($"CodePurge.V{version}", "CodePurge");

    public static string Recorder(int version) => PathOf($"Recorder.V{version}", "Recorder");

    public static string Broken() => PathOf("Broken", "Broken");

    private static string PathOf(string project, string assembly)
    {
        var path = Path.Combine(Root, "tests", "fixtures", project, "bin", Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture not built: {path}");
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Otp.Net.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Otp.Net.sln not found above the test assembly");
    }
}
