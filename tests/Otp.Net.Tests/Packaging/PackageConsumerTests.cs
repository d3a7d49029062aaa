using System.Diagnostics;
using System.Text;

namespace Otp.Net.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: packed into a folder feed, restored by a fresh console project outside the
/// repository together with the TOTP library Otp.NET (whose assembly, Otp.NET.dll, must not clash with ours), built
/// with the assembly-conflict warning as an error, and run.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private const string OtpNetTotpVersion = "1.4.1"; // also downloaded by this project's PackageDownload

    private readonly string _work = Directory.CreateTempSubdirectory("otpdotnet-consumer-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder left behind is harmless
        }
    }

    [Fact]
    public async Task Packages_InstalledBesideOtpNetTotp_BuildWithoutConflictAndRun()
    {
        var feed = Path.Combine(_work, "feed");
        foreach (var project in Directory.GetFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories))
            await RunAsync("dotnet", ["pack", project, "-c", Repository.Configuration, "--no-build", "-o", feed, "-nologo"], Repository.Root);
        var package = Directory.GetFiles(feed, "OtpDotNet.*.nupkg").Select(Path.GetFileName).Single(n => n!.StartsWith("OtpDotNet.0", StringComparison.Ordinal) || n!.StartsWith("OtpDotNet.1", StringComparison.Ordinal))!;
        var version = package["OtpDotNet.".Length..^".nupkg".Length];
        Directory.GetFiles(feed, "*.snupkg").Should().NotBeEmpty("symbol packages are published beside the packages");

        var app = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(app);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="cache" value="{globalPackages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <MSBuildWarningsAsErrors>MSB3243;MSB3277</MSBuildWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="OtpDotNet" Version="{version}" />
                <PackageReference Include="OtpDotNet.Hosting" Version="{version}" />
                <PackageReference Include="Otp.NET" Version="{OtpNetTotpVersion}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using Microsoft.Extensions.DependencyInjection;
            using Otp.Net;
            using Otp.Net.Hosting;
            using OtpNet;

            var services = new ServiceCollection();
            services.AddOtp(_ => { });
            Console.WriteLine(services.Any(s => s.ServiceType == typeof(Node)) ? "AddOtp registers the node" : "no node");

            var totp = new Totp(Base32Encoding.ToBytes("JBSWY3DPEHPK3PXP"));
            var code = totp.ComputeTotp(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

            await using var node = new Node();
            var echo = node.Spawn(async self =>
            {
                var (from, text) = ((Otp.Net.Processes.Pid, string))(await self.ReceiveAsync())!;
                self.Send(from, "echo " + text);
            });
            var main = node.Spawn(async self =>
            {
                self.Send(echo, (self.Self, code.Length + " digits"));
                Console.WriteLine(await self.ReceiveAsync());
            });
            await node.WaitForExitAsync(main);
            """);

        var packages = Path.Combine(_work, "packages");
        await RunAsync("dotnet", ["build", app, "-c", "Release", "-nologo", "--packages", packages], app);
        var output = await RunAsync("dotnet", [Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll")], app);

        output.Should().Be("AddOtp registers the node\necho 6 digits\n");
        File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "OtpDotNet.dll")).Should().BeTrue();
        File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "Otp.NET.dll")).Should().BeTrue();
    }

    private static async Task<string> RunAsync(string file, string[] args, string directory)
    {
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var run = Process.Start(info)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await run.WaitForExitAsync(safety.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 5 minutes");
        }
        var text = (await stdout).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (run.ExitCode != 0)
            throw new InvalidOperationException(new StringBuilder().AppendLine($"{file} {string.Join(' ', args)} exited with {run.ExitCode}").AppendLine(text).Append(await stderr).ToString());
        return text;
    }

}
