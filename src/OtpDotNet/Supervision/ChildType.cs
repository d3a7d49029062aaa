namespace Otp.Net.Supervision;

/// <summary>Whether a child is a worker or a supervisor (its default shutdown differs, U1).</summary>
public enum ChildType
{
    /// <summary>A worker (default shutdown 5000 ms).</summary>
    Worker,

    /// <summary>A supervisor (default shutdown infinity).</summary>
    Supervisor,
}
