using Otp.Net.Processes;
using Otp.Net.Terms;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.Terms;

/// <summary>
/// <see cref="TermFormatter"/>'s render hook is asked for every value and subterm; pids and exit reasons, defined above
/// the terms, print through the same path as before.
/// </summary>
public sealed class TermFormatterRenderTests : IDisposable
{
    private readonly Node _node = new();

    private sealed record Money(decimal Amount, string Currency);

    [Fact]
    public void Format_RenderHook_ReplacesTheValuesItNamesAtAnyDepth()
    {
        var term = TermTuple.Of(Atom.Of("total"), new List<object> { new Money(5m, "EUR"), TermTuple.Of(new Money(7m, "USD")) });

        var text = TermFormatter.Format(term, v => v is Money m ? $"{m.Amount}{m.Currency}" : null);

        text.Should().Be("{total,[5EUR,{7USD}]}");
    }

    [Fact]
    public void Format_RenderHookReturningNull_KeepsTheDefaultRendering()
    {
        var pid = _node.SpawnIdle();
        var term = TermTuple.Of(pid, default(Pid), R("boom"), ExitReason.ShutdownWith(Atom.Of("bye")), "s", 1);

        var text = TermFormatter.Format(term, _ => null);

        text.Should().Be(TermFormatter.Format(term));
        text.Should().Be($"{{<0.{pid.Id}.0>,undefined,boom,{{shutdown,bye}},\"s\",1}}");
    }

    [Fact]
    public void Format_RenderHook_SeesPidsInsideExitReasons()
    {
        var pid = _node.SpawnIdle();
        var reason = ExitReason.Of(TermTuple.Of(Atom.Of("noproc"), TermTuple.Of(Atom.Of("sys"), Atom.Of("get_state"), new TermList([pid]))));

        TermFormatter.Format(reason, v => v is Pid ? "P" : null).Should().Be("{noproc,{sys,get_state,[P]}}");
    }

    [Fact]
    public void Format_RenderHookPastTheDepthLimit_IsNotAsked()
    {
        var asked = 0;

        var text = TermFormatter.Format(TermTuple.Of(TermTuple.Of(new Money(1m, "EUR"))), maxDepth: 2, maxLength: 100, v =>
        {
            asked++;
            return null;
        });

        text.Should().Be("{{...}}");
        asked.Should().Be(2);
    }

    public void Dispose() => _node.Dispose();
}
