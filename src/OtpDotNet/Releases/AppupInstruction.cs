using System.Text.Json.Serialization;

namespace Otp.Net.Releases;

/// <summary>
/// A high-level upgrade instruction, as in an OTP <c>.appup</c> file (R9). A release's upgrade and downgrade
/// sections are lists of these, serialized as JSON objects with an <c>"op"</c> field, written by hand or generated;
/// the release handler compiles them into <see cref="ReleaseStep"/>s (R8) before anything runs.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(LoadModuleInstruction), "load_module")]
[JsonDerivedType(typeof(UpdateInstruction), "update")]
[JsonDerivedType(typeof(UpdateSupervisorInstruction), "update_supervisor")]
[JsonDerivedType(typeof(AddModuleInstruction), "add_module")]
[JsonDerivedType(typeof(DeleteModuleInstruction), "delete_module")]
[JsonDerivedType(typeof(AddApplicationInstruction), "add_application")]
[JsonDerivedType(typeof(RemoveApplicationInstruction), "remove_application")]
[JsonDerivedType(typeof(RestartApplicationInstruction), "restart_application")]
[JsonDerivedType(typeof(ApplyInstruction), "apply")]
[JsonDerivedType(typeof(PointOfNoReturnInstruction), "point_of_no_return")]
public abstract record AppupInstruction;
