using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests;

/// <summary>Helpers shared by tests: run code inside a process and get its result; generous safety-net timeouts.</summary>
internal static class TestKit
{
    /// <summary>A safety net for awaits that should complete promptly; never a sleep.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>An exit reason that is an atom, e.g. <c>R("boom")</c>.</summary>
    public static ExitReason R(string atom) => ExitReason.Of(Atom.Of(atom));

    /// <summary>Runs <paramref name="body"/> as a process and completes with what it returns (or throws).</summary>
    public static async Task<T> RunAsync<T>(this Node node, Func<ProcessContext, Task<T>> body, SpawnOptions? options = null)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Spawn(async ctx =>
        {
            try
            {
                tcs.TrySetResult(await body(ctx));
            }
            catch (Exception ex)
            {
                tcs.TrySetException(ex);
                throw;
            }
        }, options);
        return await tcs.Task.WaitAsync(Patience);
    }

    /// <summary>Spawns a process that waits for messages forever (an idle partner).</summary>
    public static Pid SpawnIdle(this Node node, SpawnOptions? options = null) =>
        node.Spawn(async ctx =>
        {
            while (true) await ctx.ReceiveAsync();
        }, options);

    /// <summary>Waits for the process to exit and returns its reason.</summary>
    public static Task<ExitReason> ExitOf(this Node node, Pid pid) => node.WaitForExitAsync(pid).WaitAsync(Patience);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Patience);

    public static Task Within(this Task task) => task.WaitAsync(Patience);
}

/// <summary>Tests that load the machine on purpose (floods, races): they run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Stress";
}
