namespace Otp.Net.TestKit;

/// <summary>
/// An expectation of the test kit failed: a message that did not arrive in time, an unexpected message, a process
/// that did not exit or restart. The message says what was expected and what happened instead. Any test framework
/// reports it as a failure (the kit depends on none).
/// </summary>
public sealed class TestKitAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TestKitAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TestKitAssertionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
