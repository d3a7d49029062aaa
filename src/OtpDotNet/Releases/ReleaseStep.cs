using System.Text.Json.Serialization;

namespace Otp.Net.Releases;

/// <summary>
/// A low-level instruction: what the release handler executes, one after the other, each with its undo recorded in
/// the install's journal (R8, R10). <see cref="ReleaseHandler.CheckInstallAsync"/> returns the list it would run.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(LoadObjectCodeStep), "load_object_code")]
[JsonDerivedType(typeof(PointOfNoReturnStep), "point_of_no_return")]
[JsonDerivedType(typeof(SuspendStep), "suspend")]
[JsonDerivedType(typeof(LoadStep), "load")]
[JsonDerivedType(typeof(CodeChangeStep), "code_change")]
[JsonDerivedType(typeof(RebindStep), "rebind")]
[JsonDerivedType(typeof(ResumeStep), "resume")]
[JsonDerivedType(typeof(SupervisorChildrenStep), "supervisor_children")]
[JsonDerivedType(typeof(RemoveStep), "remove")]
[JsonDerivedType(typeof(ApplyStep), "apply")]
[JsonDerivedType(typeof(ApplicationStep), "application")]
[JsonDerivedType(typeof(ConfigChangeStep), "config_change")]
public abstract record ReleaseStep
{
    /// <summary>The step as the journal and <c>otpnet</c> print it, like <c>suspend [counter]</c>.</summary>
    public string Describe() => ReleaseSteps.Describe(this);
}
