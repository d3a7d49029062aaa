namespace Otp.Net.Releases;

/// <summary><c>point_of_no_return</c>: what precedes it runs in the rehearsal too (R2, R8.2).</summary>
public sealed record PointOfNoReturnStep : ReleaseStep;
