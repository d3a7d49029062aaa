namespace Otp.Net.Hosting;

/// <summary>What a declared child is.</summary>
public enum ChildKind
{
    /// <summary>A GenServer created from a type.</summary>
    GenServer,

    /// <summary>A static supervisor with its own children.</summary>
    Supervisor,

    /// <summary>A dynamic supervisor (starts empty).</summary>
    DynamicSupervisor,
}
