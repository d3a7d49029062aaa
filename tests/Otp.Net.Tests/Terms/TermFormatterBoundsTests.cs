using Otp.Net.Terms;

namespace Otp.Net.Tests.Terms;

/// <summary>Formatting never recurses without a bound: cycles, deep nesting and huge collections print bounded (C1 of the review).</summary>
public sealed class TermFormatterBoundsTests
{
    [Fact]
    public void Format_SelfContainingList_CutAtDepthWithEllipsis()
    {
        var list = new List<object> { 1 };
        list.Add(list);
        var text = TermFormatter.Format(list);
        text.Should().StartWith("[1,[1,[1,").And.Contain("...");
        text.Length.Should().BeLessThan(1000);
    }

    [Fact]
    public void Format_DeeplyNestedTuples_CutAtDepth()
    {
        object term = Atom.Of("leaf");
        for (var i = 0; i < 100_000; i++) term = TermTuple.Of(term);
        var text = TermFormatter.Format(term);
        text.Should().Contain("...");
        text.Count(c => c == '{').Should().Be(TermFormatter.MaxDepth);
    }

    [Fact]
    public void Format_HugeList_CutAfterMaxElementsErlangStyle()
    {
        var text = TermFormatter.Format(Enumerable.Range(0, 100_000).ToList());
        text.Should().EndWith(",999|...]");
    }

    [Fact]
    public void Format_HugeString_CutAtMaxLength()
    {
        var text = TermFormatter.Format(TermTuple.Of(new string('x', 10_000_000)));
        text.Length.Should().BeLessThan(TermFormatter.MaxLength + 10);
        text.Should().EndWith("...");
    }

    [Fact]
    public void Format_SelfReferencingDictionary_BoundedMapSyntax()
    {
        var map = new Dictionary<string, object> { ["a"] = 1 };
        map["self"] = map;
        TermFormatter.Format(map).Should().StartWith("#{\"a\"=>1,\"self\"=>#{\"a\"=>1,").And.Contain("...");
    }

    [Fact]
    public void Equals_DeeplyNestedTuples_ThrowsInsteadOfOverflowingTheStack()
    {
        object a = 1, b = 1;
        for (var i = 0; i < 1_000_000; i++)
        {
            a = TermTuple.Of(a);
            b = TermTuple.Of(b);
        }
        FluentActions.Invoking(() => a.Equals(b)).Should().Throw<InsufficientExecutionStackException>();
    }
}
