using Otp.Net.GenServers;
using Otp.Net.Supervision;
using Otp.Net.Terms;
using Otp.Net.Tests.GenServers;

namespace Otp.Net.Tests.Supervision;

/// <summary>One child-id type: ids made from strings, atoms (configuration) and integers compare and print as OTP's.</summary>
public sealed class ChildIdTests : IDisposable
{
    private readonly Node _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public void ChildId_FromStringAndFromAtom_AreEqualWithEqualHashes()
    {
        ChildId fromCode = "worker1";
        ChildId fromConfig = Atom.Of("worker1");

        fromCode.Should().Be(fromConfig);
        (fromCode == fromConfig).Should().BeTrue();
        fromCode.GetHashCode().Should().Be(fromConfig.GetHashCode());
        new HashSet<ChildId> { fromCode }.Contains(fromConfig).Should().BeTrue();
        ((ChildId)"worker2").Should().NotBe(fromCode);
        ((ChildId)7).Should().NotBe((ChildId)"7");
    }

    [Theory]
    [InlineData("worker1", "worker1")]
    [InlineData("my worker", "'my worker'")]
    [InlineData("MyApp.Counter", "'MyApp.Counter'")]
    public void ChildId_ToString_PrintsAsOtpPrintsTheAtom(string name, string printed)
    {
        ((ChildId)name).ToString().Should().Be(printed);
        ((ChildId)Atom.Of(name)).ToString().Should().Be(printed);
        ((ChildId)name).ToTerm().Should().Be(Atom.Of(name));
    }

    [Fact]
    public void ChildId_DefaultAndInteger_PrintAsUndefinedAndTheInteger()
    {
        default(ChildId).IsUndefined.Should().BeTrue();
        default(ChildId).ToString().Should().Be("undefined");
        ((ChildId)(string?)null).IsUndefined.Should().BeTrue();
        ((ChildId)10000).ToString().Should().Be("10000");
        ((ChildId)10000).Name.Should().BeNull();
        ((ChildId)"w").Name.Should().Be("w");
    }

    [Fact] // U14, U16: a child declared with an atom is found by the same name given as a string, and vice versa
    public async Task Supervisor_IdGivenAsAtomOrString_FindsTheSameChild()
    {
        var sup = (await Supervisor.StartLinkAsync(_node, new SupervisorFlags(),
            [ChildSpec.ForGenServer<TestServer>(Atom.Of("by_atom")), ChildSpec.ForGenServer<TestServer>("by_string")])).GetPidOrThrow();

        (await Supervisor.GetChildSpecAsync(sup, "by_atom")).Should().NotBeNull();
        (await Supervisor.GetChildSpecAsync(sup, Atom.Of("by_string"))).Should().NotBeNull();
        (await Supervisor.TerminateChildAsync(sup, "by_atom")).Should().Be(SupervisorResult.Ok);
        (await Supervisor.DeleteChildAsync(sup, Atom.Of("by_atom"))).Should().Be(SupervisorResult.Ok);
        var children = await Supervisor.WhichChildrenAsync(sup);
        children.Select(c => c.Id).Should().Equal((ChildId)"by_string");
        TermFormatter.Format(children[0].ToTerm(), v => v is Otp.Net.Processes.Pid ? "P" : null).Should().Be("{by_string,P,worker,['Otp.Net.Tests.GenServers.TestServer']}");
    }

    [Fact] // U2: the same id written once as a string and once as an atom is a duplicate
    public void CheckChildSpecs_SameIdAsStringAndAtom_IsDuplicate()
    {
        var error = Supervisor.CheckChildSpecs([ChildSpec.ForGenServer<TestServer>("w"), ChildSpec.ForGenServer<TestServer>(Atom.Of("w"))]);

        TermFormatter.Format(error).Should().Be("{duplicate_child_name,w}");
    }

    [Fact] // U2
    public void CheckChildSpecs_UndefinedId_IsMissingId()
    {
        Supervisor.CheckChildSpecs([ChildSpec.ForGenServer<TestServer>(default)]).Should().Be(Atom.Of("missing_id"));
    }
}
