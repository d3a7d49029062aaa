using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// <c>otpnet release build</c>: builds (or takes) each application's assemblies, refuses non-deterministic ones,
/// finds their modules from <c>[OtpModule]</c> metadata, lays them out as <c>lib/&lt;app&gt;-&lt;version&gt;/</c>, fills
/// the host requirements from the assemblies' references, embeds the upgrade and downgrade entries computed against
/// each <c>--from</c> package, and writes <c>&lt;out&gt;/&lt;name&gt;-&lt;version&gt;.zip</c>.
/// </summary>
internal static class ReleaseBuilder
{
    /// <summary>What a build produced.</summary>
    internal sealed record Result(string Package, ReleaseManifest Manifest, IReadOnlyDictionary<string, string> Hashes);

    public static async Task<Result> BuildAsync(string specPath, string? outDirectory, string? keyPath, IReadOnlyList<string> from, string configuration, bool allowDelegates, TextWriter log, CancellationToken ct)
    {
        var spec = await ReleaseSpec.ReadAsync(specPath, ct).ConfigureAwait(false);
        if (outDirectory is not null && File.Exists(outDirectory)) throw new ToolException($"--out {outDirectory} is a file, not a folder");
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(specPath))!;
        using var key = keyPath is null ? null : await LoadKeyAsync(keyPath, ct).ConfigureAwait(false);
        var staging = Directory.CreateTempSubdirectory("otpnet-build-").FullName;
        try
        {
            var applications = new List<ApplicationDescriptor>();
            var images = new List<AssemblyImage>();
            try
            {
                foreach (var app in spec.Applications)
                {
                    applications.Add(await BuildApplicationAsync(app, baseDirectory, staging, configuration, images, log, ct).ConfigureAwait(false));
                }
                var duplicate = applications.SelectMany(a => a.Modules).GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
                if (duplicate is not null) throw new ToolException($"module '{duplicate.Key}' is in more than one assembly of the release ({string.Join(", ", duplicate.Select(m => m.File))})");
                var manifest = new ReleaseManifest(spec.Name, spec.Version)
                {
                    Applications = applications,
                    Host = Host(spec, images),
                };
                var upgrades = new List<RelupEntry>();
                var downgrades = new List<RelupEntry>();
                var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
                using (var current = new ReleaseImage(manifest, staging, specPath))
                {
                    foreach (var module in current.Modules()) hashes[module.Name] = module.Hash.Hash;
                    foreach (var package in from)
                    {
                        using var old = await ReleaseImage.OpenPackageAsync(package, ct).ConfigureAwait(false);
                        ReleaseDiff.RequireOrder(old, current);
                        var diff = ReleaseDiff.Compute(old, current, allowDelegates);
                        diff.Print(log);
                        if (diff.Failed) throw new ToolException($"the diff from {old.Manifest.Version} ({package}) failed; see the errors above (run `otpnet release diff` to review it)");
                        upgrades.Add(new RelupEntry(old.Manifest.Version) { Instructions = diff.Upgrade });
                        downgrades.Add(new RelupEntry(old.Manifest.Version) { Instructions = diff.Downgrade });
                    }
                }
                manifest = manifest with { Upgrades = upgrades, Downgrades = downgrades };
                var output = Path.Combine(outDirectory ?? Directory.GetCurrentDirectory(), $"{spec.Name}-{spec.Version}.zip");
                try
                {
                    await ReleasePackage.CreateAsync(manifest, staging, output, key, ct).ConfigureAwait(false);
                }
                catch (ReleaseException e)
                {
                    throw new ToolException($"cannot write the package: {e.Message}", e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ToolException($"cannot write the package {output}: {e.Message}", e);
                }
                foreach (var module in manifest.Applications.SelectMany(a => a.Modules))
                    log.WriteLine($"  {module.Name} {module.Version} {module.File} {hashes[module.Name]}");
                log.WriteLine($"wrote {output}{(key is null ? "" : $" (signed by {key.KeyId})")}");
                return new Result(output, manifest, hashes);
            }
            finally
            {
                foreach (var image in images) image.Dispose();
            }
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Reads a private key (PEM); its id is the file's name without extension, as <c>ReleaseTrust.FromDirectory</c> names public keys.</summary>
    public static async Task<ReleaseSigningKey> LoadKeyAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new ToolException($"no key file at {path}");
        try
        {
            return await ReleaseSigningKey.LoadAsync(Path.GetFileNameWithoutExtension(path), path, ct).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new ToolException($"{path}: {e.Message}", e);
        }
    }

    private static async Task<ApplicationDescriptor> BuildApplicationAsync(ReleaseSpecApplication app, string baseDirectory, string staging, string configuration, List<AssemblyImage> images, TextWriter log, CancellationToken ct)
    {
        var lib = $"lib/{app.Name}-{app.Version}";
        Directory.CreateDirectory(Path.Combine(staging, lib));
        var assemblies = new List<string>();
        foreach (var project in app.Projects)
            assemblies.Add(await ProjectBuild.BuildAsync(Path.GetFullPath(Path.Combine(baseDirectory, project)), configuration, log, ct).ConfigureAwait(false));
        foreach (var assembly in app.Assemblies)
        {
            var path = Path.GetFullPath(Path.Combine(baseDirectory, assembly));
            if (!File.Exists(path)) throw new ToolException($"the spec names assembly {assembly}, which does not exist ({path})");
            assemblies.Add(path);
        }

        var modules = new List<ModuleDescriptor>();
        var files = new List<string>();
        foreach (var path in assemblies)
        {
            var file = $"{lib}/{Path.GetFileName(path)}";
            var target = Path.Combine(staging, file);
            if (File.Exists(target)) throw new ToolException($"application {app.Name} has two assemblies named {Path.GetFileName(path)}");
            // Read from where the spec names it, so that a file that is not an assembly is reported by its own path.
            var image = AssemblyImage.Open(path);
            File.Copy(path, target);
            images.Add(image);
            image.RequireDeterministic(path);
            if (image.Modules.Count == 0)
            {
                files.Add(file);
                log.WriteLine($"  {file}: no [OtpModule] class, shipped as a file of {app.Name}");
            }
            modules.AddRange(image.Modules.Select(m => new ModuleDescriptor(m.Name, m.Vsn, file)));
        }
        foreach (var extra in app.Files)
        {
            var path = Path.GetFullPath(Path.Combine(baseDirectory, extra));
            if (!File.Exists(path)) throw new ToolException($"the spec names file {extra}, which does not exist ({path})");
            var file = $"{lib}/{Path.GetFileName(path)}";
            if (File.Exists(Path.Combine(staging, file))) throw new ToolException($"application {app.Name} has two files named {Path.GetFileName(path)}");
            File.Copy(path, Path.Combine(staging, file));
            files.Add(file);
        }
        if (app.Mod is { } mod && modules.All(m => m.Name != mod))
            throw new ToolException($"application {app.Name}: its mod '{mod}' is not a module of its assemblies ({string.Join(", ", modules.Select(m => m.Name))})");
        return new ApplicationDescriptor(app.Name, app.Version)
        {
            Description = app.Description,
            Modules = modules,
            Files = files,
            Applications = app.Applications,
            Mod = app.Mod,
            Args = app.Args,
            Env = app.Env,
            Type = app.Type,
        };
    }

    /// <summary>The host the release needs: the Otp.Net its modules reference, the runtime they target, and the
    /// identities of the contract assemblies the spec lists, as the module assemblies reference them.</summary>
    private static HostRequirements Host(ReleaseSpec spec, List<AssemblyImage> images)
    {
        var modules = images.Where(i => i.Modules.Count > 0).ToList();
        var otp = modules.Select(i => i.References.GetValueOrDefault("OtpDotNet")).OfType<ContractAssembly>().Distinct().ToList();
        if (otp.Count > 1) throw new ToolException($"the module assemblies reference different Otp.Net versions ({string.Join(", ", otp.Select(o => o.Version))})");
        var runtimes = modules.Select(i => i.TargetRuntime).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (runtimes.Select(r => r.Split('.')[0]).Distinct(StringComparer.Ordinal).Count() > 1)
            throw new ToolException($"the module assemblies target different runtimes ({string.Join(", ", runtimes)})");
        var contracts = new List<ContractAssembly>();
        foreach (var name in spec.Contracts)
        {
            var identities = modules.Select(i => i.References.GetValueOrDefault(name)).OfType<ContractAssembly>().Distinct().ToList();
            if (identities.Count == 0) throw new ToolException($"contract assembly {name} is not referenced by any module assembly of the release");
            if (identities.Count > 1) throw new ToolException($"the module assemblies reference different versions of contract {name} ({string.Join(", ", identities.Select(c => c.Version))})");
            contracts.Add(identities[0]);
        }
        var current = HostRequirements.Current();
        return new HostRequirements
        {
            OtpNetVersion = otp.Count == 1 ? otp[0].Version : current.OtpNetVersion,
            Runtime = runtimes.Count > 0 ? runtimes.Max(StringComparer.Ordinal)! : current.Runtime,
            Contracts = contracts,
        };
    }
}
