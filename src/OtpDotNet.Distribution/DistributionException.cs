namespace Otp.Net.Distribution;

/// <summary>The distribution cannot do what was asked: a bad node name, a carrier that failed to start, a node already distributed.</summary>
public class DistributionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DistributionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DistributionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public DistributionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
