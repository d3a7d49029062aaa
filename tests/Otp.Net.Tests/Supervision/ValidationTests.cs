using Otp.Net.GenServers;
using Otp.Net.Processes;
using Otp.Net.Supervision;
using Otp.Net.Terms;

namespace Otp.Net.Tests.Supervision;

/// <summary>Bad flags and child specs are refused at the boundary with OTP's error terms, and nothing starts.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly Node _node = new();
    private int _starts;

    public void Dispose() => _node.Dispose();

    private ChildSpec Spec(string id) => new(Atom.Of(id), node =>
    {
        Interlocked.Increment(ref _starts);
        return Task.FromResult(StartResult.Ignore);
    });

    /// <summary>A supervisor that outlives the process that started it.</summary>
    private static Pid Unlinked(ProcessContext ctx, StartResult started)
    {
        var pid = started.GetPidOrThrow();
        ctx.Unlink(pid);
        return pid;
    }

    public static TheoryData<string, string> BadFlags => new()
    {
        { "intensity -1", "{supervisor_data,{invalid_intensity,-1}}" },
        { "period 0", "{supervisor_data,{invalid_period,0}}" },
        { "period -5", "{supervisor_data,{invalid_period,-5}}" },
        { "strategy 42", "{supervisor_data,{invalid_strategy,42}}" },
        { "auto_shutdown 9", "{supervisor_data,{invalid_auto_shutdown,9}}" },
        { "simple_one_for_one any_significant", "{supervisor_data,{bad_combination,[{auto_shutdown,any_significant},{strategy,simple_one_for_one}]}}" },
    };

    private static SupervisorFlags Flags(string name) => name switch
    {
        "intensity -1" => new SupervisorFlags { Intensity = -1 },
        "period 0" => new SupervisorFlags { PeriodSeconds = 0 },
        "period -5" => new SupervisorFlags { PeriodSeconds = -5 },
        "strategy 42" => new SupervisorFlags { Strategy = (Strategy)42 },
        "auto_shutdown 9" => new SupervisorFlags { AutoShutdown = (AutoShutdown)9 },
        _ => new SupervisorFlags { Strategy = Strategy.SimpleOneForOne, AutoShutdown = AutoShutdown.AnySignificant },
    };

    [Theory] // U2, OTP supervisor:check_flags
    [MemberData(nameof(BadFlags))]
    public async Task StartLink_InvalidFlags_FailsWithSupervisorData_NothingStarted(string flags, string error)
    {
        var children = flags.StartsWith("simple", StringComparison.Ordinal)
            ? new[] { ChildSpec.Template(Atom.Of("t"), (_, _) => Task.FromResult(StartResult.Ignore)) with { Restart = RestartType.Temporary } }
            : new[] { Spec("a") };
        var result = await Supervisor.StartLinkAsync(_node, Flags(flags), children);
        result.Error!.ToString().Should().Be(error);
        _starts.Should().Be(0);
        _node.ProcessCount.Should().Be(0);
    }

    [Theory] // D1: Elixir's DynamicSupervisor init checks
    [InlineData(-1, 5, null, "{supervisor_data,{invalid_intensity,-1}}")]
    [InlineData(3, 0, null, "{supervisor_data,{invalid_period,0}}")]
    [InlineData(3, 5, -1, "{supervisor_data,{invalid_max_children,-1}}")]
    public async Task DynamicSupervisor_InvalidOptions_FailsWithSupervisorData(int intensity, int period, int? maxChildren, string error)
    {
        var ran = false;
        var options = new DynamicSupervisorOptions
        {
            Intensity = intensity,
            PeriodSeconds = period,
            MaxChildren = maxChildren,
            OnInit = _ =>
            {
                ran = true;
                return ValueTask.CompletedTask;
            },
        };
        var result = await DynamicSupervisor.StartLinkAsync(_node, options);
        result.Error!.ToString().Should().Be(error);
        ran.Should().BeFalse();
        _node.ProcessCount.Should().Be(0);
    }

    public static TheoryData<string, string> BadSpecs => new()
    {
        { "restart 7", "{invalid_restart_type,7}" },
        { "type 5", "{invalid_child_type,5}" },
        { "significant, auto_shutdown never", "{bad_combination,[{auto_shutdown,never},{significant,true}]}" },
        { "modules null", "{invalid_modules,undefined}" },
        { "module empty", "{invalid_module,\"\"}" },
        { "missing id", "missing_id" },
        { "null spec", "{invalid_child_spec,undefined}" },
    };

    private ChildSpec? BadSpec(string name) => name switch
    {
        "restart 7" => Spec("a") with { Restart = (RestartType)7 },
        "type 5" => Spec("a") with { Type = (ChildType)5 },
        "significant, auto_shutdown never" => Spec("a") with { Restart = RestartType.Transient, Significant = true },
        "modules null" => Spec("a") with { Modules = null! },
        "module empty" => Spec("a") with { Modules = [""] },
        "missing id" => new ChildSpec(null!, _ => Task.FromResult(StartResult.Ignore)),
        _ => null,
    };

    [Theory] // U2, U17: OTP check_childspec; at init {start_spec, E}, from start_child {error, E}; nothing starts
    [MemberData(nameof(BadSpecs))]
    public async Task InvalidChildSpec_RefusedAtInitAndByStartChild(string spec, string error)
    {
        var bad = BadSpec(spec);
        var atInit = await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [Spec("ok"), bad!]);
        atInit.Error!.ToString().Should().Be($"{{start_spec,{error}}}");
        _starts.Should().Be(0);
        _node.ProcessCount.Should().Be(0);

        var sup = await _node.RunAsync(async ctx => Unlinked(ctx, await Supervisor.StartLinkAsync(_node, new SupervisorFlags(), [])));
        if (bad is null)
        {
            // A null spec is an argument error before any message is sent.
            await FluentActions.Awaiting(() => Supervisor.StartChildAsync(sup, (ChildSpec)null!)).Should().ThrowAsync<ArgumentNullException>();
            return;
        }
        (await Supervisor.StartChildAsync(sup, bad)).ToString().Should().Be($"{{error,{error}}}");
        (await Supervisor.WhichChildrenAsync(sup)).Should().BeEmpty();
        _starts.Should().Be(0);
    }

    [Fact] // U19: a significant child must not be permanent
    public void CheckChildSpecs_SignificantPermanent_BadCombination()
    {
        var spec = Spec("a") with { Significant = true };
        TermFormatter.Format(Supervisor.CheckChildSpecs([spec])).Should().Be("{bad_combination,[{restart,permanent},{significant,true}]}");
        TermFormatter.Format(Supervisor.CheckChildSpecs([spec with { Restart = RestartType.Transient }], AutoShutdown.Never))
            .Should().Be("{bad_combination,[{auto_shutdown,never},{significant,true}]}");
        Supervisor.CheckChildSpecs([spec with { Restart = RestartType.Transient }], AutoShutdown.AnySignificant).Should().BeNull();
    }

    [Fact] // D1: a DynamicSupervisor holds no significant children (Elixir: {invalid_significant, true})
    public async Task DynamicSupervisor_SignificantChild_Refused()
    {
        var sup = await _node.RunAsync(async ctx => Unlinked(ctx, await DynamicSupervisor.StartLinkAsync(_node)));
        var result = await DynamicSupervisor.StartChildAsync(sup, Spec("a") with { Restart = RestartType.Transient, Significant = true });
        result.ToString().Should().Be("{error,{invalid_significant,true}}");
        _starts.Should().Be(0);
    }
}
