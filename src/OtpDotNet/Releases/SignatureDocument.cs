namespace Otp.Net.Releases;

/// <summary>The content of <c>signature.json</c>: who signed <c>hashes.json</c>, how, and the signature (base64, IEEE P1363).</summary>
internal sealed record SignatureDocument(string KeyId, string Algorithm, string Signature);
