namespace Otp.Net.GenServers;

/// <summary>The system messages every behaviour process serves (the sys protocol).</summary>
internal enum SystemOp
{
    GetState,
    ReplaceState,
    Suspend,
    Resume,
    GetStatus,
    ChangeCode,
    Statistics,
    Trace,
    Terminate,
    Rebind,
    RevertCode,
}
