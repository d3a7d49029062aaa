namespace Otp.Net.Distribution;

/// <summary>A frame names a type this node has not allowed (<see cref="DistributionOptions.Messages"/>): the frame is dropped.</summary>
public sealed class UnknownMessageTypeException(string typeName)
    : DistributionException($"'{typeName}' is not an allowed message type on this node")
{
    /// <summary>The type's name as the sender wrote it.</summary>
    public string TypeName { get; } = typeName;
}
