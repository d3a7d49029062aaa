namespace Otp.Net.Tool.Analysis;

/// <summary>A failure of the release tool with a message meant for its user (a bad input, a refused build).</summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message) : base(message)
    {
    }

    public ToolException(string message, Exception inner) : base(message, inner)
    {
    }

    public ToolException()
    {
    }
}
