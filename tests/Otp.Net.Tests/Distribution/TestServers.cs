using Otp.Net.GenServers;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Distribution;

/// <summary>A key-value server used across nodes.</summary>
public sealed class KvServer : GenServer<Dictionary<string, string>>
{
    public override ValueTask<InitResult<Dictionary<string, string>>> InitAsync(object? args, CancellationToken cancellationToken) => Ok(new Dictionary<string, string>());

    public override async ValueTask<ServerResult<Dictionary<string, string>>> HandleCallAsync(object request, From from, Dictionary<string, string> state, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case Get g:
                return Reply(state.GetValueOrDefault(g.Key), state);
            case Slow s:
                await Task.Delay(s.Milliseconds, cancellationToken);
                return Reply("slow", state);
            case ("who", _):
                return Reply(Atom.Of("kv"), state);
            case "unserializable":
                return Reply(new Unlisted { X = 1 }, state);
            case "crash":
                throw new InvalidOperationException("asked to crash");
            default:
                return Reply(request, state);
        }
    }

    public override ValueTask<ServerResult<Dictionary<string, string>>> HandleCastAsync(object request, Dictionary<string, string> state, CancellationToken cancellationToken) =>
        request is Put p ? NoReply(new Dictionary<string, string>(state) { [p.Key] = p.Value }) : NoReply(state);
}
