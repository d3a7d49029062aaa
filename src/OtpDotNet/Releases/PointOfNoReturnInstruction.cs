namespace Otp.Net.Releases;

/// <summary>
/// <c>point_of_no_return</c>: only <see cref="ApplyInstruction"/>s may precede it (R8.6); those run in the rehearsal
/// (R2). In Otp.Net an install can still roll back after it: the marker only separates what the rehearsal executes.
/// </summary>
public sealed record PointOfNoReturnInstruction : AppupInstruction;
