namespace Otp.Net.Supervision;

/// <summary>What a supervisor's <c>Init</c> returns: flags and child specs, or ignore.</summary>
public sealed class SupervisorInit
{
    private SupervisorInit(SupervisorFlags? flags, IReadOnlyList<ChildSpec> children)
    {
        Flags = flags;
        Children = children;
    }

    /// <summary>The flags (null for ignore).</summary>
    public SupervisorFlags? Flags { get; }

    /// <summary>The children, in start order.</summary>
    public IReadOnlyList<ChildSpec> Children { get; }

    /// <summary>True for ignore.</summary>
    public bool IsIgnore => Flags is null;

    /// <summary><c>{ok, {Flags, Children}}</c>.</summary>
    public static SupervisorInit Ok(SupervisorFlags flags, params IReadOnlyList<ChildSpec> children) => new(flags ?? throw new ArgumentNullException(nameof(flags)), children ?? []);

    /// <summary><c>ignore</c>.</summary>
    public static SupervisorInit Ignore { get; } = new(null, []);

    /// <summary>Lets a synchronous <c>Init</c> return a result where a <see cref="ValueTask{TResult}"/> is expected.</summary>
    public static implicit operator ValueTask<SupervisorInit>(SupervisorInit result) => new(result);
}
