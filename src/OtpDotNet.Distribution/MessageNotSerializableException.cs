namespace Otp.Net.Distribution;

/// <summary>
/// A message (or a request, a reply, an exit reason) cannot be sent to another node: a type not in
/// <see cref="DistributionOptions.Messages"/>, a value the serializer cannot write, or a frame over
/// <see cref="DistributionOptions.MaxFrameBytes"/>. Nothing was sent.
/// </summary>
public sealed class MessageNotSerializableException : DistributionException
{
    /// <summary>Creates the exception.</summary>
    public MessageNotSerializableException(string message, Type? type = null, Exception? innerException = null)
        : base(message, innerException!)
    {
        Type = type;
    }

    /// <summary>The type that could not be written, when one is to blame.</summary>
    public Type? Type { get; }
}
