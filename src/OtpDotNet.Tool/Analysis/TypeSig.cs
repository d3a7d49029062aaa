using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Otp.Net.Tool.Analysis;

/// <summary>
/// A type as a signature names it, decoded from metadata without loading anything: a named type (of the assembly
/// itself when <see cref="NamedSig.Definition"/> is set, otherwise of a referenced assembly), a primitive, a
/// generic instance, an array, a pointer or by-ref, or a generic parameter. <see cref="object.ToString"/> gives the
/// name the normalized hash uses: own types by full name, others prefixed with their assembly's simple name.
/// </summary>
internal abstract record TypeSig
{
    /// <summary>Every type this one is built from, itself included (generic arguments, elements).</summary>
    public abstract IEnumerable<TypeSig> Parts();

    /// <summary>Whether a type of the assembly itself occurs in this one.</summary>
    public bool InvolvesOwnType => Parts().Any(p => p is NamedSig { IsOwn: true });
}

/// <summary>A named type: <paramref name="FullName"/> is <c>Namespace.Name</c>, nested types as <c>Outer/Inner</c>.</summary>
internal sealed record NamedSig(string FullName, string? Assembly, TypeDefinitionHandle Definition) : TypeSig
{
    public bool IsOwn => !Definition.IsNil;

    public override IEnumerable<TypeSig> Parts() => [this];

    public override string ToString() => Assembly is null ? FullName : $"[{Assembly}]{FullName}";
}

/// <summary>A primitive (<c>int32</c>, <c>string</c>, <c>object</c>...).</summary>
internal sealed record PrimitiveSig(string Name) : TypeSig
{
    public override IEnumerable<TypeSig> Parts() => [this];

    public override string ToString() => Name;
}

/// <summary>A generic instance.</summary>
internal sealed record GenericSig(TypeSig Definition, ImmutableArray<TypeSig> Arguments) : TypeSig
{
    public override IEnumerable<TypeSig> Parts() => [this, .. Definition.Parts(), .. Arguments.SelectMany(a => a.Parts())];

    public override string ToString() => $"{Definition}<{string.Join(",", Arguments)}>";
}

/// <summary>An array (<c>[]</c>, <c>[,]</c>), pointer (<c>*</c>), by-ref (<c>&amp;</c>), pinned or modified type:
/// <paramref name="Suffix"/> says which.</summary>
internal sealed record WrappedSig(TypeSig Element, string Suffix) : TypeSig
{
    public override IEnumerable<TypeSig> Parts() => [this, .. Element.Parts()];

    public override string ToString() => Element + Suffix;
}

/// <summary>A generic parameter of a type (<c>!0</c>) or a method (<c>!!0</c>).</summary>
internal sealed record GenericParameterSig(bool OfMethod, int Index) : TypeSig
{
    public override IEnumerable<TypeSig> Parts() => [this];

    public override string ToString() => (OfMethod ? "!!" : "!") + Index;
}
