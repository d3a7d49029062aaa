using System.Runtime.CompilerServices;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Tests;

/// <summary>
/// What the tests share beyond the OtpDotNet.TestKit package: its settings for this suite (a 10 s safety net), the
/// suite's shorthands, and the stress collection.
/// </summary>
internal static class TestKit
{
    /// <summary>A safety net for awaits that should complete promptly; never a sleep (dilated by OTPNET_TEST_TIMEFACTOR).</summary>
    public static readonly TimeSpan Patience = TestKitSettings.Default.Dilated(TimeSpan.FromSeconds(10));

    /// <summary>Every expectation of the kit waits up to <see cref="Patience"/> in this suite: the machine may be loaded.</summary>
    [ModuleInitializer]
    internal static void UseSuiteSettings() =>
        TestKitSettings.Default = TestKitSettings.Default with { DefaultTimeout = TimeSpan.FromSeconds(10) };

    /// <summary>An exit reason that is an atom, e.g. <c>R("boom")</c>.</summary>
    public static ExitReason R(string atom) => ExitReason.Of(Atom.Of(atom));

    /// <summary>Waits for the process to exit and returns its reason (<see cref="NodeTestExtensions.ExpectExitAsync"/>).</summary>
    public static Task<ExitReason> ExitOf(this Node node, Pid pid) => node.ExpectExitAsync(pid);
}

/// <summary>Tests that load the machine on purpose (floods, races): they run alone, not beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Stress";
}
