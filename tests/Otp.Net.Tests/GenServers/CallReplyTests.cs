using System.Runtime.CompilerServices;
using Otp.Net.GenServers;
using Otp.Net.Processes;
using static Otp.Net.Tests.TestKit;

namespace Otp.Net.Tests.GenServers;

/// <summary>
/// The one-shot reply token: a reader never sees it completed without its result, and once completed and consumed
/// it keeps neither the reply nor the waiter's continuation alive.
/// </summary>
public sealed class CallReplyTests
{
    [Fact] // G7
    public void IsCompleted_SeenByAConcurrentReader_AlwaysComesWithTheResult()
    {
        const int count = 100_000;
        var tokens = new CallReply[count];
        var values = new object[count];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = new CallReply(default);
            values[i] = (i % 3) switch { 0 => CallReply.TimedOut, 1 => CallReply.Down, _ => new object() };
        }
        // The writer completes each token while the reader is spinning on it, so the two meet inside the completion.
        var readerAt = -1;
        var writer = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var wait = default(SpinWait);
                while (Volatile.Read(ref readerAt) < i) wait.SpinOnce(sleep1Threshold: -1);
                if (ReferenceEquals(values[i], CallReply.Down)) tokens[i].OnProcessDown(R("gone"));
                else tokens[i].TryReply(values[i]);
            }
        }) { IsBackground = true };
        writer.Start();

        var wrong = 0;
        var lostFailure = 0;
        for (var i = 0; i < count; i++)
        {
            Volatile.Write(ref readerAt, i);
            var spinner = default(SpinWait);
            while (!tokens[i].IsCompleted) spinner.SpinOnce(sleep1Threshold: -1);
            var result = tokens[i].TakeResult();
            if (!ReferenceEquals(result, values[i])) wrong++;
            else if (ReferenceEquals(result, CallReply.Down) && tokens[i].Failure is null) lostFailure++;
        }
        writer.Join(Patience).Should().BeTrue();
        wrong.Should().Be(0, "a completed token carries its result");
        lostFailure.Should().Be(0, "a token completed by the server's death carries the exit reason");
    }
}
