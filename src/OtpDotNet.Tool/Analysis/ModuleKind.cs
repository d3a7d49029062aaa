namespace Otp.Net.Tool.Analysis;

/// <summary>What a module's class is, read from its base types and interfaces.</summary>
internal enum ModuleKind
{
    /// <summary>A <c>GenServer&lt;TState&gt;</c>.</summary>
    GenServer,

    /// <summary>A <c>Supervisor</c>.</summary>
    Supervisor,

    /// <summary>An <c>Application</c>.</summary>
    Application,

    /// <summary>An <c>IProcessModule</c> (a bare process).</summary>
    Process,

    /// <summary>Anything else marked <c>[OtpModule]</c> (another behaviour).</summary>
    Other,
}
