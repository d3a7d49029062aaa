using System.Security.Cryptography;

namespace Otp.Net.Releases;

/// <summary>
/// A private ECDSA P-256 key that signs release packages, with the id a node's <see cref="ReleaseTrust"/> knows it by.
/// A package's signature covers the exact bytes of its <c>hashes.json</c>, so it covers every file.
/// </summary>
public sealed class ReleaseSigningKey : IDisposable
{
    /// <summary>The signature algorithm written in <c>signature.json</c>.</summary>
    public const string Algorithm = "ECDSA-P256-SHA256";

    private readonly ECDsa _key;

    private ReleaseSigningKey(string keyId, ECDsa key)
    {
        if (string.IsNullOrWhiteSpace(keyId)) throw new ArgumentException("a key id is required", nameof(keyId));
        if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            key.Dispose();
            throw new ArgumentException("release keys are ECDSA P-256 keys", nameof(key));
        }
        KeyId = keyId;
        _key = key;
    }

    /// <summary>The id of the key, written in each signature and looked up in the verifier's <see cref="ReleaseTrust"/>.</summary>
    public string KeyId { get; }

    /// <summary>Creates a new random key.</summary>
    /// <param name="keyId">Its id; by default the first 16 hex digits of the SHA-256 of its public key.</param>
    public static ReleaseSigningKey Create(string? keyId = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new ReleaseSigningKey(keyId ?? Fingerprint(key.ExportSubjectPublicKeyInfo()), key);
    }

    /// <summary>Imports a private key from PEM (<c>PRIVATE KEY</c>, PKCS#8, or <c>EC PRIVATE KEY</c>).</summary>
    /// <param name="keyId">The key's id.</param>
    /// <param name="pem">The PEM text.</param>
    /// <exception cref="ArgumentException">The text holds no P-256 private key.</exception>
    public static ReleaseSigningKey FromPem(string keyId, string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            _ = key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"no ECDSA private key in the PEM text: {e.Message}", nameof(pem), e);
        }
        return new ReleaseSigningKey(keyId, key);
    }

    /// <summary>Reads a private key from a PEM file (see <see cref="FromPem"/>).</summary>
    /// <param name="keyId">The key's id.</param>
    /// <param name="path">The PEM file.</param>
    /// <param name="ct">Cancels the read.</param>
    public static async Task<ReleaseSigningKey> LoadAsync(string keyId, string path, CancellationToken ct = default) =>
        FromPem(keyId, await File.ReadAllTextAsync(path, ct).ConfigureAwait(false));

    /// <summary>The private key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>). Keep it secret.</summary>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The public key as SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>), for <see cref="ReleaseTrust"/>.</summary>
    public string ExportPublicKeyPem() => _key.ExportSubjectPublicKeyInfoPem();

    /// <summary>Writes the private key to a PEM file (PKCS#8), readable by <see cref="LoadAsync"/>.</summary>
    public Task SavePrivateKeyAsync(string path, CancellationToken ct = default) =>
        File.WriteAllTextAsync(path, ExportPrivateKeyPem(), ct);

    /// <summary>Writes the public key to a PEM file, readable by <see cref="ReleaseTrust.FromPem"/> and <see cref="ReleaseTrust.FromDirectory"/>.</summary>
    public Task SavePublicKeyAsync(string path, CancellationToken ct = default) =>
        File.WriteAllTextAsync(path, ExportPublicKeyPem(), ct);

    /// <summary>Releases the key.</summary>
    public void Dispose() => _key.Dispose();

    internal byte[] Sign(byte[] data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    internal byte[] PublicKey() => _key.ExportSubjectPublicKeyInfo();

    internal static string Fingerprint(byte[] subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];
}
