namespace Otp.Net;

/// <summary>What a <see cref="NodeEvent"/> reports.</summary>
public enum NodeEventKind
{
    /// <summary>A process was created (<see cref="NodeEvent.Pid"/>, its <see cref="NodeEvent.Parent"/>).</summary>
    Spawned,

    /// <summary>A process ended (<see cref="NodeEvent.Pid"/>, <see cref="NodeEvent.Reason"/>).</summary>
    Exited,

    /// <summary>
    /// A supervisor (<see cref="NodeEvent.Parent"/>) restarted a child (<see cref="NodeEvent.ChildId"/>, its new
    /// <see cref="NodeEvent.Pid"/> or undefined if the start is being retried) that ended with <see cref="NodeEvent.Reason"/>;
    /// <see cref="NodeEvent.Restarts"/> of <see cref="NodeEvent.Intensity"/> restarts are used in the current period.
    /// </summary>
    Restarted,

    /// <summary>A process was suspended by sys.</summary>
    Suspended,

    /// <summary>A process was resumed by sys.</summary>
    Resumed,

    /// <summary>A module version was loaded (<see cref="NodeEvent.Module"/>, <see cref="NodeEvent.Version"/>).</summary>
    ModuleLoaded,

    /// <summary>A module's old version was purged.</summary>
    ModulePurged,

    /// <summary>A step of a module upgrade by the code server (<see cref="NodeEvent.Detail"/> says which).</summary>
    Upgrade,

    /// <summary>A step of a release install or rollback: <see cref="NodeEvent.Journal"/>.</summary>
    Release,

    /// <summary>
    /// A report the node logged at Information or above (crash, supervisor and progress reports, code and release
    /// events): <see cref="NodeEvent.Report"/>. Published only while observed, whatever the logging filters say.
    /// </summary>
    Report,
}
