using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Otp.Net.Releases;

/// <summary>
/// The public keys a node accepts release packages from, by key id. When a node has a trust, every package must be
/// signed by one of its keys; an unsigned package is refused. Immutable: <see cref="Add"/> returns a new trust.
/// </summary>
public sealed class ReleaseTrust
{
    private readonly ImmutableDictionary<string, byte[]> _keys;

    private ReleaseTrust(ImmutableDictionary<string, byte[]> keys) => _keys = keys;

    /// <summary>A trust with no key: every package is refused (use null instead to accept unsigned packages).</summary>
    public static ReleaseTrust Empty { get; } = new(ImmutableDictionary.Create<string, byte[]>(StringComparer.Ordinal));

    /// <summary>The ids of the trusted keys.</summary>
    public IReadOnlyCollection<string> KeyIds => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A trust holding one public key, read from PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    /// <param name="keyId">The id signatures name the key by.</param>
    /// <param name="publicKeyPem">The PEM text.</param>
    /// <exception cref="ArgumentException">The text holds no ECDSA P-256 public key.</exception>
    public static ReleaseTrust FromPem(string keyId, string publicKeyPem) => Empty.Add(keyId, publicKeyPem);

    /// <summary>A trust holding the public halves of <paramref name="keys"/>.</summary>
    public static ReleaseTrust From(params ReleaseSigningKey[] keys) =>
        new(Empty._keys.SetItems(keys.Select(k => KeyValuePair.Create(k.KeyId, k.PublicKey()))));

    /// <summary>A trust holding every <c>*.pem</c> public key of a folder, each named by its file name without extension.</summary>
    /// <param name="directory">The folder.</param>
    public static ReleaseTrust FromDirectory(string directory)
    {
        var trust = Empty;
        foreach (var file in Directory.EnumerateFiles(directory, "*.pem").Order(StringComparer.Ordinal))
            trust = trust.Add(Path.GetFileNameWithoutExtension(file), File.ReadAllText(file));
        return trust;
    }

    /// <summary>This trust and one more public key (replacing a key of the same id).</summary>
    /// <param name="keyId">The id signatures name the key by.</param>
    /// <param name="publicKeyPem">The PEM text of the public key.</param>
    /// <exception cref="ArgumentException">The text holds no ECDSA P-256 public key.</exception>
    public ReleaseTrust Add(string keyId, string publicKeyPem)
    {
        if (string.IsNullOrWhiteSpace(keyId)) throw new ArgumentException("a key id is required", nameof(keyId));
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(publicKeyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"no ECDSA public key in the PEM text for key '{keyId}': {e.Message}", nameof(publicKeyPem), e);
        }
        if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            throw new ArgumentException($"key '{keyId}' is not a P-256 key", nameof(publicKeyPem));
        return new ReleaseTrust(_keys.SetItem(keyId, key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Whether <paramref name="keyId"/> is trusted.</summary>
    public bool Contains(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>Whether <paramref name="signature"/> (IEEE P1363) by the trusted key <paramref name="keyId"/> verifies over <paramref name="data"/>.</summary>
    internal bool Verify(string keyId, byte[] data, byte[] signature)
    {
        if (!_keys.TryGetValue(keyId, out var spki)) return false;
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(spki, out _);
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
