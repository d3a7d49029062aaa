namespace Otp.Net.Terms;

/// <summary>
/// A handle to a runtime entity (a pid, a process, a node) rather than data. A state that holds one refers to that entity
/// and does not hold its code: walks looking for a module version's objects (<see cref="ObjectGraph"/>) stop at it, so a
/// pid in a state does not make the state reach every module loaded on the node. (What a process runs is the code
/// server's business: purging kills a process running old code.)
/// </summary>
internal interface IRuntimeHandle;
