namespace Otp.Net.Tests;

/// <summary>Where the repository is, and which configuration the tests were built in.</summary>
internal static class Repository
{
    /// <summary>The folder holding Otp.Net.sln, above the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug, as the test assembly: the projects built beside it share it.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Otp.Net.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Otp.Net.sln not found above the test assembly");
    }
}
