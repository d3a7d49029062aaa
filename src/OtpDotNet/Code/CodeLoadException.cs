namespace Otp.Net.Code;

/// <summary>A code server request was refused; the registry and every process are as they were.</summary>
public sealed class CodeLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CodeLoadException(CodeErrorKind kind, string module, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Module = module;
    }

    /// <summary>Why.</summary>
    public CodeErrorKind Kind { get; }

    /// <summary>The module concerned (or the file, when no module could be read).</summary>
    public string Module { get; }
}
