using Otp.Net.Releases;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// <c>otpnet release appup</c>: replaces a package's upgrade and downgrade entries for an older release with
/// instructions computed afresh (or read from a reviewed diff document), then rewrites the package (verified,
/// extracted, created again; re-signed with the given key). Entries already embedded are never reused.
/// </summary>
internal static class Appup
{
    public static async Task<ReleaseManifest> RewriteAsync(string oldPackage, string newPackage, string? instructionsPath, string? keyPath, string? output, bool allowDelegates, TextWriter log, CancellationToken ct)
    {
        using var old = await ReleaseImage.OpenPackageAsync(oldPackage, ct).ConfigureAwait(false);
        using var current = await ReleaseImage.OpenPackageAsync(newPackage, ct).ConfigureAwait(false);
        ReleaseDiff.RequireOrder(old, current);
        if (current.IsSigned && keyPath is null)
            throw new ToolException($"{newPackage} is signed: pass --key KEY.pem to sign the rewritten package (its signature would not cover the new instructions)");
        using var key = keyPath is null ? null : await ReleaseBuilder.LoadKeyAsync(keyPath, ct).ConfigureAwait(false);

        IReadOnlyList<AppupInstruction> upgrade, downgrade;
        if (instructionsPath is not null)
        {
            if (!File.Exists(instructionsPath)) throw new ToolException($"no instructions file at {instructionsPath}");
            DiffDocument document;
            try
            {
                document = ReleaseJson.Deserialize<DiffDocument>(await File.ReadAllBytesAsync(instructionsPath, ct).ConfigureAwait(false), instructionsPath);
            }
            catch (ReleaseException e)
            {
                throw new ToolException(e.Message, e);
            }
            if (document.From != old.Manifest.Version || document.To != current.Manifest.Version)
                throw new ToolException($"{instructionsPath} goes from {document.From} to {document.To}, not from {old.Manifest.Version} to {current.Manifest.Version}");
            (upgrade, downgrade) = (document.Upgrade, document.Downgrade);
            CheckInstructions(instructionsPath, "upgrade", upgrade, old, current);
            CheckInstructions(instructionsPath, "downgrade", downgrade, old, current);
            log.WriteLine($"instructions from {instructionsPath}");
        }
        else
        {
            var diff = ReleaseDiff.Compute(old, current, allowDelegates);
            diff.Print(log);
            if (diff.Failed) throw new ToolException($"the diff from {old.Manifest.Version} to {current.Manifest.Version} failed; see the errors above");
            (upgrade, downgrade) = (diff.Upgrade, diff.Downgrade);
        }

        var version = old.Manifest.Version;
        var manifest = current.Manifest with
        {
            Upgrades = [.. current.Manifest.Upgrades.Where(e => e.Version != version), new RelupEntry(version) { Instructions = upgrade }],
            Downgrades = [.. current.Manifest.Downgrades.Where(e => e.Version != version), new RelupEntry(version) { Instructions = downgrade }],
        };
        var target = output ?? newPackage;
        try
        {
            await ReleasePackage.CreateAsync(manifest, current.Directory, target, key, ct).ConfigureAwait(false);
        }
        catch (ReleaseException e)
        {
            throw new ToolException($"cannot write the package: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot write the package {target}: {e.Message}", e);
        }
        log.WriteLine($"wrote {target}: {upgrade.Count} upgrade and {downgrade.Count} downgrade instruction(s) for {version}{(key is null ? "" : $", signed by {key.KeyId}")}");
        return manifest;
    }

    /// <summary>Refuses a reviewed instruction list with a null entry, or naming a module or application that is in
    /// neither release (a typo would otherwise reach the node, to fail there in the middle of an upgrade).</summary>
    private static void CheckInstructions(string path, string list, IReadOnlyList<AppupInstruction> instructions, ReleaseImage old, ReleaseImage current)
    {
        var manifests = new[] { old.Manifest, current.Manifest };
        var modules = manifests.SelectMany(m => m.Applications).SelectMany(a => a.Modules).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var applications = manifests.SelectMany(m => m.Applications).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < instructions.Count; i++)
        {
            var where = $"{path}: {list}[{i}]";
            var (names, known, kind) = instructions[i] switch
            {
                null => throw new ToolException($"{where} is null"),
                UpdateInstruction u => (u.DepMods.Prepend(u.Module).ToArray(), modules, "module"),
                AddModuleInstruction a => (new[] { a.Module }, modules, "module"),
                DeleteModuleInstruction d => (new[] { d.Module }, modules, "module"),
                LoadModuleInstruction l => (new[] { l.Module }, modules, "module"),
                UpdateSupervisorInstruction s => (new[] { s.Module }, modules, "module"),
                ApplyInstruction a => (new[] { a.Module }, modules, "module"),
                AddApplicationInstruction a => (new[] { a.Application }, applications, "application"),
                RemoveApplicationInstruction r => (new[] { r.Application }, applications, "application"),
                RestartApplicationInstruction r => (new[] { r.Application }, applications, "application"),
                _ => (Array.Empty<string>(), modules, "module"),
            };
            foreach (var name in names)
            {
                if (name is null || !known.Contains(name))
                    throw new ToolException($"{where} names {kind} '{name}', which is in neither {old.Manifest.Version} nor {current.Manifest.Version}");
            }
        }
    }
}
