using Microsoft.Extensions.Logging;
using Otp.Net.Releases;

namespace Otp.Net.Tests.Releases;

public sealed class HostRequirementsTests
{
    private static readonly HostRequirements Here = HostRequirements.Current(typeof(ILogger).Assembly);

    [Fact]
    public void Check_RequirementsOfTheRunningHost_ReturnsNull()
    {
        Here.Check().Should().BeNull();
        Here.Runtime.Should().Be($"{Environment.Version.Major}.{Environment.Version.Minor}");
        Here.Contracts.Should().ContainSingle().Which.Should().Be(ContractAssembly.Of(typeof(ILogger).Assembly));
        Here.Contracts[0].PublicKeyToken.Should().MatchRegex("^[0-9a-f]{16}$");
    }

    [Fact]
    public void Check_OtherOtpNetMinorVersion_ReturnsNull()
    {
        var version = typeof(Node).Assembly.GetName().Version!;

        (Here with { OtpNetVersion = $"{version.Major}.{version.Minor + 1}.0.0" }).Check().Should().BeNull();
    }

    [Fact]
    public void Check_OtherOtpNetMajorVersion_RequiresARestart() =>
        (Here with { OtpNetVersion = "99.0.0.0" }).Check().Should().StartWith("restart required").And.Contain("Otp.Net");

    [Fact]
    public void Check_OtherRuntimeMajorVersion_RequiresARestart() =>
        (Here with { Runtime = "8.0" }).Check().Should().StartWith("restart required").And.Contain(".NET");

    [Fact]
    public void Check_ContractWithAnotherVersion_RequiresARestart() =>
        (Here with { Contracts = [Here.Contracts[0] with { Version = "1.2.3.4" }] }).Check().Should().StartWith("restart required").And.Contain("1.2.3.4");

    [Fact]
    public void Check_ContractWithAnotherPublicKeyToken_RequiresARestart() =>
        (Here with { Contracts = [Here.Contracts[0] with { PublicKeyToken = "0123456789abcdef" }] }).Check().Should().StartWith("restart required");

    [Fact]
    public void Check_ContractTheHostCannotLoad_RequiresARestart() =>
        (Here with { Contracts = [new ContractAssembly("Shop.Contracts", "1.0.0.0", null)] }).Check().Should().StartWith("restart required").And.Contain("Shop.Contracts");

    [Fact]
    public void Check_ContractOnThePlatformListButNotLoaded_IsReadWithoutLoadingIt()
    {
        static bool Loaded() => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "System.Formats.Tar");
        Loaded().Should().BeFalse("the test needs an assembly nothing has loaded yet");
        var tar = ContractAssembly.Of(System.Reflection.AssemblyName.GetAssemblyName(
            Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Formats.Tar.dll")));

        (Here with { Contracts = [tar] }).Check().Should().BeNull();
        (Here with { Contracts = [tar with { Version = "1.0.0.0" }] }).Check().Should().StartWith("restart required");

        Loaded().Should().BeFalse();
    }
}
