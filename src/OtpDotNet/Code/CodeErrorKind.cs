namespace Otp.Net.Code;

/// <summary>Why the code server refused a request (C2 and the bad-input rules).</summary>
public enum CodeErrorKind
{
    /// <summary><c>badfile</c>: the file or stream is not a loadable assembly.</summary>
    BadFile,

    /// <summary><c>nofile</c>: the file does not exist.</summary>
    NoFile,

    /// <summary>The assembly holds no module of the requested name (or none at all).</summary>
    NoModule,

    /// <summary>The module class is neither a GenServer nor an <see cref="IProcessModule"/>, or cannot be created.</summary>
    NotABehaviour,

    /// <summary><c>not_purged</c>: an old version is still loaded (C2).</summary>
    NotPurged,

    /// <summary>The version is the one already current.</summary>
    SameVersion,

    /// <summary>No such module is loaded.</summary>
    UnknownModule,

    /// <summary>A purged version has not been collected yet (a callback still holds it), so another cannot be loaded over it.</summary>
    PendingUnload,
}
