namespace Otp.Net.Tests.Code;

/// <summary>Paths of the separately compiled module versions under tests/fixtures.</summary>
internal static class Fixtures
{
    public static string Counter(int version) => PathOf($"Counter.V{version}", "Counter");

    public static string Kv(int version) => PathOf($"Kv.V{version}", "Kv");

    public static string CodePurge(int version) => PathOf($"CodePurge.V{version}", "CodePurge");

    public static string Recorder(int version) => PathOf($"Recorder.V{version}", "Recorder");

    public static string Sup(int version) => PathOf($"Sup.V{version}", "Sup");

    public static string Broken() => PathOf("Broken", "Broken");

    /// <summary>The release-diff fixtures (tests/fixtures/Diff): V1, V2, V2Bad.</summary>
    public static string Diff(string variant) => PathOf($"Diff.{variant}", "Diff");

    private static string PathOf(string project, string assembly)
    {
        var path = Path.Combine(Repository.Root, "tests", "fixtures", project, "bin", Repository.Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture not built: {path}");
        return path;
    }

}
