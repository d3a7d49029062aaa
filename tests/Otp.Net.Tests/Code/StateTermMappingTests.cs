using Otp.Net.Code;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Code;

/// <summary>Mapping an old state's term onto a record of the old shape: strict by default, lenient only on request.</summary>
public sealed class StateTermMappingTests
{
    public sealed record Shape(int Count, string Name);

    public sealed record Outer(Shape Inner, List<Shape> Items);

    public sealed class WithSecret
    {
        private string _note = "";

        public int Count { get; set; }

        public string Note() => _note;
    }

    private static StateTerm Term(string type, params (string Key, object? Value, bool NonPublic)[] fields) =>
        new(type, fields.ToDictionary(f => f.Key, f => f.Value), fields.Where(f => f.NonPublic).Select(f => f.Key).ToHashSet());

    [Fact]
    public void As_AllMembersPresent_Maps()
    {
        Term("Old.Shape", ("Count", 3, false), ("Name", "a", false)).As<Shape>().Should().Be(new Shape(3, "a"));
    }

    [Fact]
    public void As_MemberMissing_TypedErrorNamingIt_LenientGivesDefault()
    {
        var term = Term("Old.Shape", ("Cnt", 3, false), ("Name", "a", false));
        var ex = FluentActions.Invoking(() => term.As<Shape>()).Should().Throw<StateMigrationException>().Which;
        ex.Error.Should().Be(StateMigrationError.MissingMember);
        ex.Member.Should().Be("Count");
        term.As<Shape>(StateMapping.Lenient).Should().Be(new Shape(0, "a"));
    }

    [Fact]
    public void As_MemberMistyped_TypedErrorNamingNestedPath()
    {
        var inner = Term("Old.Shape", ("Count", "three", false), ("Name", "a", false));
        var term = Term("Old.Outer", ("Inner", Term("Old.Shape", ("Count", 1, false), ("Name", "b", false)), false), ("Items", new List<object?> { inner }, false));
        var ex = FluentActions.Invoking(() => term.As<Outer>()).Should().Throw<StateMigrationException>().Which;
        ex.Error.Should().Be(StateMigrationError.TypeMismatch);
        ex.Member.Should().Be("Items[0].Count");
    }

    [Fact]
    public void As_LossyNumberConversion_Refused_LosslessAccepted()
    {
        Term("Old.Shape", ("Count", 3L, false), ("Name", "a", false)).As<Shape>().Count.Should().Be(3);
        FluentActions.Invoking(() => Term("Old.Shape", ("Count", 3.5, false), ("Name", "a", false)).As<Shape>())
            .Should().Throw<StateMigrationException>().Which.Error.Should().Be(StateMigrationError.TypeMismatch);
        FluentActions.Invoking(() => Term("Old.Shape", ("Count", long.MaxValue, false), ("Name", "a", false)).As<Shape>())
            .Should().Throw<StateMigrationException>().Which.Member.Should().Be("Count");
    }

    [Fact]
    public void As_MemberOnlyNonPublicInOldState_TypedError_LenientReadsIt()
    {
        var term = Term("Old.Shape", ("_count", 7, true), ("Name", "a", false));
        var ex = FluentActions.Invoking(() => term.As<Shape>()).Should().Throw<StateMigrationException>().Which;
        ex.Error.Should().Be(StateMigrationError.NonPublicMember);
        ex.Member.Should().Be("Count");
        term.As<Shape>(StateMapping.Lenient).Should().Be(new Shape(7, "a"));
    }

    [Fact]
    public void As_NonPublicField_CarriedToFieldOfSameName()
    {
        var result = Term("Old.WithSecret", ("Count", 2, false), ("_note", "kept", true)).As<WithSecret>();
        result.Count.Should().Be(2);
        result.Note().Should().Be("kept");
    }

    [Fact]
    public void Get_MissingMember_TypedError()
    {
        FluentActions.Invoking(() => Term("Old.Shape", ("Count", 1, false)).Get<string>("Name"))
            .Should().Throw<StateMigrationException>().Which.Error.Should().Be(StateMigrationError.MissingMember);
    }
}
