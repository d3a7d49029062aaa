using Otp.Net.GenServers;
using Otp.Net.Processes;

namespace Otp.Net.Tasks;

/// <summary>
/// Elixir's <c>Agent</c> (D3): a process holding a state of type <typeparamref name="T"/>, read and changed through
/// functions. <c>get</c>, <c>update</c> and <c>get_and_update</c> wait 5 s by default; <c>cast</c> always succeeds.
/// </summary>
/// <typeparam name="T">The state type.</typeparam>
public static class Agent<T>
{
    /// <summary>Starts an agent whose state is <paramref name="initial"/>() (linked to the caller when inside a process).</summary>
    public static Task<StartResult> StartLinkAsync(Node node, Func<T> initial, GenServerOptions? options = null, CancellationToken cancellationToken = default) =>
        GenServer.StartLinkAsync(node, new AgentServer(), initial ?? throw new ArgumentNullException(nameof(initial)), options, cancellationToken);

    /// <summary><c>Agent.get</c>: applies <paramref name="read"/> to the state in the agent and returns its result.</summary>
    public static Task<TResult> GetAsync<TResult>(ServerRef agent, Func<T, TResult> read, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GenServer.CallAsync<TResult>(agent, new Get(s => read(s)), timeout, cancellationToken);

    /// <summary><c>Agent.update</c>: replaces the state with <paramref name="update"/>(state).</summary>
    public static Task UpdateAsync(ServerRef agent, Func<T, T> update, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GenServer.CallAsync(agent, new Update(update), timeout, cancellationToken);

    /// <summary><c>Agent.get_and_update</c>: returns the first element and keeps the second as the new state.</summary>
    public static Task<TResult> GetAndUpdateAsync<TResult>(ServerRef agent, Func<T, (TResult Reply, T State)> fun, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GenServer.CallAsync<TResult>(agent, new GetAndUpdate(s => fun(s)), timeout, cancellationToken);

    /// <summary><c>Agent.cast</c>: updates asynchronously; always succeeds.</summary>
    public static void Cast(ServerRef agent, Func<T, T> update) => GenServer.Cast(agent, new Update(update));

    private sealed record Get(Func<T, object?> Read);

    private sealed record Update(Func<T, T> Fun);

    private sealed record GetAndUpdate(Func<T, (object?, T)> Fun);

    private sealed class AgentServer : GenServer<T>
    {
        public override string ModuleName => "Elixir.Agent.Server";

        public override ValueTask<InitResult<T>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(((Func<T>)args!)());

        public override ValueTask<ServerResult<T>> HandleCallAsync(object request, From from, T state, CancellationToken cancellationToken) => request switch
        {
            Get g => Reply(g.Read(state), state),
            Update u => Reply(Terms.Atom.Of("ok"), u.Fun(state)),
            GetAndUpdate gu => GetAndUpdateResult(gu.Fun(state)),
            _ => base.HandleCallAsync(request, from, state, cancellationToken),
        };

        private static ServerResult<T> GetAndUpdateResult((object? Reply, T State) r) => Reply(r.Reply, r.State);

        public override ValueTask<ServerResult<T>> HandleCastAsync(object request, T state, CancellationToken cancellationToken) => request switch
        {
            Update u => NoReply(u.Fun(state)),
            _ => base.HandleCastAsync(request, state, cancellationToken),
        };
    }
}
