using Otp.Net.Processes;

namespace Otp.Net.Tests.Processes;

public sealed class SaveQueueTests
{
    [Fact] // P6.2: whatever is taken out of the middle, the rest comes out oldest first, across compactions
    public void TryTake_InterleavedSelectiveTakes_RestKeepsOrder()
    {
        var queue = new SaveQueue();
        var expected = new List<int>();
        var taken = new List<int>();
        for (var i = 0; i < 10_000; i++)
        {
            queue.Add(i);
            if (i % 3 != 0) expected.Add(i);
            // Take every multiple of three as soon as it is the newest, leaving a hole behind older messages.
            if (i % 3 == 0 && queue.TryTake(m => (int)m == i, resume: false, out var m)) taken.Add((int)m);
        }
        var rest = new List<int>();
        while (queue.TryTake(null, resume: false, out var m)) rest.Add((int)m);
        taken.Should().Equal(Enumerable.Range(0, 10_000).Where(i => i % 3 == 0));
        rest.Should().Equal(expected);
        queue.Count.Should().Be(0);
    }

    [Fact] // the save pointer: a predicate that rejected a message does not test it again when it resumes
    public void TryTake_Resume_TestsEachMessageOnce_AlsoAcrossCompaction()
    {
        var queue = new SaveQueue();
        var tests = 0;
        Func<object, bool> systemOnly = m =>
        {
            tests++;
            return m is string;
        };
        for (var i = 0; i < 1_000; i++)
        {
            queue.Add(i);
            if (i % 100 == 99) queue.Add("sys" + i);
            // One receive per system message, as a suspended server does; the plain receives in between are absent.
            if (i % 100 == 99) queue.TryTake(systemOnly, resume: true, out _).Should().BeTrue();
        }
        queue.TryTake(systemOnly, resume: true, out _).Should().BeFalse();
        tests.Should().Be(1_000 + 10);
        // A receive with another predicate starts from the oldest message.
        var seen = new List<int>();
        while (queue.TryTake(null, resume: true, out var m)) seen.Add((int)m);
        seen.Should().Equal(Enumerable.Range(0, 1_000));
    }

    [Fact] // P4.3: a flush removes one message and leaves the others in order
    public void RemoveFirst_TakesOnlyTheOldestMatch()
    {
        var queue = new SaveQueue();
        foreach (var m in new object[] { 1, "a", 2, "b", 3 }) queue.Add(m);
        queue.RemoveFirst(m => m is string).Should().BeTrue();
        var rest = new List<object>();
        while (queue.TryTake(null, resume: false, out var m)) rest.Add(m);
        rest.Should().Equal(1, 2, "b", 3);
    }
}
