using System.Collections;
using System.Diagnostics;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Terms;

public sealed class TermFormatterRecordTests
{
    private sealed record Link(string Name)
    {
        public Link? Next { get; set; }
    }

    private sealed record Account(string Owner, int Balance, bool Frozen, decimal Rate, string? Note, List<int> History);

    private sealed class Broken : IEnumerable<int>
    {
        public IEnumerator<int> GetEnumerator()
        {
            yield return 1;
            throw new InvalidOperationException("Collection was modified");
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public void ARecord_PrintsAsItsToString_ScalarsAndStringsAlike_CollectionsAsTerms()
    {
        var account = new Account("alice", 10, true, 1.5m, null, [1, 2]);
        TermFormatter.Format(account).Should().Be("Account { Owner = alice, Balance = 10, Frozen = True, Rate = 1.5, Note = , History = [1,2] }");
    }

    [Fact]
    public void ACyclicRecord_IsPrintedQuicklyAndBounded_NotUntilTheStackRunsLow()
    {
        var ring = new Link("a") { Next = new Link("b") };
        ring.Next.Next = ring;
        var many = Enumerable.Range(0, 50).Select(_ => ring).ToList();
        var watch = Stopwatch.StartNew();
        var text = TermFormatter.Format(many);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2)); // the generated ToString took about a second per occurrence
        text.Length.Should().BeLessThanOrEqualTo(TermFormatter.MaxLength + 3);
        text.Should().StartWith("[Link { Name = a, Next = Link { Name = b, Next = Link { Name = a");
    }

    [Fact]
    public void ACollectionThatFailsToEnumerate_EndsItsText_NoException()
    {
        TermFormatter.Format(new Broken()).Should().Be("[1|<InvalidOperationException>]");
    }
}
