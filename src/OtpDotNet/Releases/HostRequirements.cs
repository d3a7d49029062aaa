using System.Reflection;
using System.Runtime.Loader;

namespace Otp.Net.Releases;

/// <summary>
/// The host a release needs, the analogue of the ERTS version a release names: the Otp.Net version it was built
/// against, the .NET runtime, and the shared contract assemblies its modules compile against. A release whose host
/// differs cannot be installed in process; it needs a restart of the node on the new host.
/// </summary>
public sealed record HostRequirements
{
    /// <summary>The OtpDotNet assembly version the release was built against; its major version must match the host's.</summary>
    public string OtpNetVersion { get; init; } = "";

    /// <summary>The .NET runtime, as <c>major.minor</c> (e.g. <c>10.0</c>); its major version must match the host's.</summary>
    public string Runtime { get; init; } = "";

    /// <summary>The shared assemblies that must be loaded in the host's default context, or on its trusted platform
    /// list (the application's and the framework's assemblies), with the same version and public key token.</summary>
    public IReadOnlyList<ContractAssembly> Contracts { get; init; } = [];

    /// <summary>The requirements the running host meets: its Otp.Net and runtime versions and the identities of
    /// <paramref name="contracts"/>.</summary>
    /// <param name="contracts">The shared assemblies the release's modules compile against (besides OtpDotNet itself).</param>
    public static HostRequirements Current(params Assembly[] contracts) => new()
    {
        OtpNetVersion = OtpNetAssemblyVersion.ToString(),
        Runtime = $"{Environment.Version.Major}.{Environment.Version.Minor}",
        Contracts = [.. contracts.Select(ContractAssembly.Of)],
    };

    /// <summary>
    /// Checks these requirements against the running host: null when it can run the release in process, otherwise
    /// why a restart is required (another Otp.Net major version, another runtime major version, or a contract
    /// assembly that is neither loaded in the default context nor on the trusted platform list, or has another version
    /// or public key token). Nothing is loaded by the check.
    /// </summary>
    public string? Check()
    {
        if (!Version.TryParse(OtpNetVersion, out var otp))
            return $"restart required: the release names no readable Otp.Net version ('{OtpNetVersion}')";
        if (otp.Major != OtpNetAssemblyVersion.Major)
            return $"restart required: the release was built against Otp.Net {OtpNetVersion}, the host runs {OtpNetAssemblyVersion}";

        if (!Version.TryParse(Runtime.Contains('.', StringComparison.Ordinal) ? Runtime : Runtime + ".0", out var runtime))
            return $"restart required: the release names no readable runtime version ('{Runtime}')";
        if (runtime.Major != Environment.Version.Major)
            return $"restart required: the release needs .NET {Runtime}, the host runs {Environment.Version}";

        foreach (var contract in Contracts)
        {
            if (CheckContract(contract) is { } reason) return reason;
        }
        return null;
    }

    private static Version OtpNetAssemblyVersion { get; } = typeof(Node).Assembly.GetName().Version ?? new Version(0, 0);

    private static string? TrustedPlatformAssembly(string name) =>
        (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(p => string.Equals(Path.GetFileNameWithoutExtension(p), name, StringComparison.OrdinalIgnoreCase));

    private static string? CheckContract(ContractAssembly? contract)
    {
        if (contract is null || string.IsNullOrEmpty(contract.Name)) return "restart required: a contract assembly has no name";
        // Loaded already, or on the host's trusted platform list (read without loading it: a check changes nothing).
        var loaded = AssemblyLoadContext.Default.Assemblies
            .FirstOrDefault(a => string.Equals(a.GetName().Name, contract.Name, StringComparison.OrdinalIgnoreCase));
        ContractAssembly actual;
        if (loaded is not null)
        {
            actual = ContractAssembly.Of(loaded);
        }
        else if (TrustedPlatformAssembly(contract.Name) is { } path)
        {
            try
            {
                actual = ContractAssembly.Of(AssemblyName.GetAssemblyName(path));
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException)
            {
                return $"restart required: the contract assembly {contract.Name} is not loadable in the host ({e.Message})";
            }
        }
        else
        {
            return $"restart required: the contract assembly {contract.Name} is neither loaded nor on the host's trusted platform list";
        }

        if (!Version.TryParse(contract.Version, out var wanted) || wanted != Version.Parse(actual.Version))
            return $"restart required: the release needs {contract.Name} {contract.Version}, the host has {actual.Version}";
        if (!string.Equals(contract.PublicKeyToken ?? "", actual.PublicKeyToken ?? "", StringComparison.OrdinalIgnoreCase))
            return $"restart required: the release needs {contract.Name} with public key token '{contract.PublicKeyToken}', the host's has '{actual.PublicKeyToken}'";
        return null;
    }
}
