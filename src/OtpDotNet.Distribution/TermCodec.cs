using System.Buffers;
using System.Collections;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Otp.Net.Processes;
using Otp.Net.Terms;

namespace Otp.Net.Distribution;

/// <summary>
/// Terms and allowed user types to and from MessagePack. Terms are written natively (nil, booleans, 64-bit integers,
/// doubles, strings, binaries) or as extensions with a code below; an allowed type is written by name, then its members
/// with MessagePack's contractless formatter. Reading never creates a type that is not allowed.
/// </summary>
internal sealed class TermCodec
{
    private const sbyte AtomCode = 1;
    private const sbyte PidCode = 2;
    private const sbyte RefCode = 3;
    private const sbyte TupleCode = 4;
    private const sbyte ListCode = 5;
    private const sbyte MapCode = 6;
    private const sbyte ReasonCode = 7;
    private const sbyte RecordCode = 8;
    private const sbyte Int32Code = 9;
    private const sbyte Int16Code = 10;
    private const sbyte ByteCode = 11;
    private const sbyte SByteCode = 12;
    private const sbyte UInt16Code = 13;
    private const sbyte UInt32Code = 14;
    private const sbyte UInt64Code = 15;
    private const sbyte SingleCode = 16;
    private const sbyte DecimalCode = 17;
    private const sbyte CharCode = 18;
    private const sbyte GuidCode = 19;
    private const sbyte DateTimeCode = 20;
    private const sbyte DateTimeOffsetCode = 21;
    private const sbyte TimeSpanCode = 22;
    private const sbyte ArrayCode = 23;
    private const sbyte EnumCode = 24;
    private const int MaxDepth = 64;

    /// <summary>
    /// How deep the term being written or read is, where MessagePack's formatter of an allowed type hands a member back
    /// to this codec: the depth limit holds through records too (a record that reaches itself is refused, not a
    /// stack overflow).
    /// </summary>
    [ThreadStatic]
    private static int t_depth;

    private readonly Cluster _cluster;
    private readonly MessageTypes _types;
    private readonly Options _options;

    public TermCodec(Cluster cluster, MessageTypes types)
    {
        _cluster = cluster;
        _types = types;
        var resolver = CompositeResolver.Create(
            [new PidFormatter(this), new RefFormatter(this), new AtomFormatter(this), new ReasonFormatter(this), new ObjectFormatter(this)],
            [ContractlessStandardResolver.Instance]);
        _options = new Options(this, MessagePackSerializerOptions.Standard.WithResolver(resolver).WithSecurity(MessagePackSecurity.UntrustedData));
    }

    // ---------------------------------------------------------------- writing

    public void Write(ref MessagePackWriter w, object? value, int depth = 0)
    {
        if (depth > MaxDepth) throw new MessageNotSerializableException($"the message nests deeper than {MaxDepth} levels (a cycle?)");
        switch (value)
        {
            case null:
                w.WriteNil();
                return;
            case bool b:
                w.Write(b);
                return;
            case long l:
                w.Write(l);
                return;
            case double d:
                w.Write(d);
                return;
            case string s:
                w.Write(s);
                return;
            case byte[] bytes:
                w.Write(bytes);
                return;
            case int i:
                WriteExt(ref w, Int32Code, i, static (ref MessagePackWriter x, int v) => x.Write(v));
                return;
            case Atom a:
                WriteExt(ref w, AtomCode, a.Name, static (ref MessagePackWriter x, string v) => x.Write(v));
                return;
            case Pid p:
                WritePid(ref w, p);
                return;
            case Ref r:
                WriteRef(ref w, r);
                return;
            case ExitReason reason:
                WriteReason(ref w, reason, depth);
                return;
            case TermTuple t:
                WriteSequence(ref w, TupleCode, t, depth);
                return;
            case TermList list:
                WriteSequence(ref w, ListCode, list, depth);
                return;
            case object?[] array when array.GetType() == typeof(object[]):
                WriteSequence(ref w, ArrayCode, array, depth);
                return;
            case short v:
                WriteExt(ref w, Int16Code, v, static (ref MessagePackWriter x, short y) => x.Write(y));
                return;
            case byte v:
                WriteExt(ref w, ByteCode, v, static (ref MessagePackWriter x, byte y) => x.Write(y));
                return;
            case sbyte v:
                WriteExt(ref w, SByteCode, v, static (ref MessagePackWriter x, sbyte y) => x.Write(y));
                return;
            case ushort v:
                WriteExt(ref w, UInt16Code, v, static (ref MessagePackWriter x, ushort y) => x.Write(y));
                return;
            case uint v:
                WriteExt(ref w, UInt32Code, v, static (ref MessagePackWriter x, uint y) => x.Write(y));
                return;
            case ulong v:
                WriteExt(ref w, UInt64Code, v, static (ref MessagePackWriter x, ulong y) => x.Write(y));
                return;
            case float v:
                WriteExt(ref w, SingleCode, v, static (ref MessagePackWriter x, float y) => x.Write(y));
                return;
            case decimal v:
                WriteExt(ref w, DecimalCode, v.ToString(System.Globalization.CultureInfo.InvariantCulture), static (ref MessagePackWriter x, string y) => x.Write(y));
                return;
            case char v:
                WriteExt(ref w, CharCode, v, static (ref MessagePackWriter x, char y) => x.Write(y));
                return;
            case Guid v:
                WriteExt(ref w, GuidCode, v.ToByteArray(), static (ref MessagePackWriter x, byte[] y) => x.Write(y));
                return;
            case DateTime v:
                WriteExt(ref w, DateTimeCode, v.ToBinary(), static (ref MessagePackWriter x, long y) => x.Write(y));
                return;
            case DateTimeOffset v:
                WriteExt(ref w, DateTimeOffsetCode, (v.UtcTicks, (long)v.Offset.TotalMinutes), static (ref MessagePackWriter x, (long Ticks, long Offset) y) =>
                {
                    x.WriteArrayHeader(2);
                    x.Write(y.Ticks);
                    x.Write(y.Offset);
                });
                return;
            case TimeSpan v:
                WriteExt(ref w, TimeSpanCode, v.Ticks, static (ref MessagePackWriter x, long y) => x.Write(y));
                return;
        }
        var type = value.GetType();
        if (_types.TryGetName(type, out var name))
        {
            if (type.IsEnum)
            {
                WriteExt(ref w, EnumCode, (name, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)), static (ref MessagePackWriter x, (string Name, long Value) y) =>
                {
                    x.WriteArrayHeader(2);
                    x.Write(y.Name);
                    x.Write(y.Value);
                });
                return;
            }
            WriteRecord(ref w, type, name, value, depth);
            return;
        }
        // Collections that are not listed go as the terms they are: a dictionary as a map, a tuple as a tuple, a list
        // or an array as a list. They come back as Dictionary<object, object?>, TermTuple and TermList.
        switch (value)
        {
            case IDictionary map:
                WriteMap(ref w, map, depth);
                return;
            case System.Runtime.CompilerServices.ITuple tuple:
                var items = new object?[tuple.Length];
                for (var i = 0; i < items.Length; i++) items[i] = tuple[i];
                WriteSequence(ref w, TupleCode, items, depth);
                return;
            case IList list:
                WriteSequence(ref w, ListCode, list.Cast<object?>().ToArray(), depth);
                return;
        }
        throw new MessageNotSerializableException(
            $"{type} cannot be sent to another node: allow it with DistributionOptions.Messages.Allow<{type.Name}>() on both nodes", type);
    }

    private delegate void BodyWriter<T>(ref MessagePackWriter w, T value);

    private static void WriteExt<T>(ref MessagePackWriter w, sbyte code, T value, BodyWriter<T> body)
    {
        var buffer = new ArrayBufferWriter<byte>(16);
        var inner = new MessagePackWriter(buffer);
        body(ref inner, value);
        inner.Flush();
        w.WriteExtensionFormatHeader(new ExtensionHeader(code, buffer.WrittenCount));
        w.WriteRaw(buffer.WrittenSpan);
    }

    private ArrayBufferWriter<byte> Buffer(out MessagePackWriter inner)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        inner = new MessagePackWriter(buffer);
        return buffer;
    }

    private static void Frame(ref MessagePackWriter w, sbyte code, ArrayBufferWriter<byte> buffer, ref MessagePackWriter inner)
    {
        inner.Flush();
        w.WriteExtensionFormatHeader(new ExtensionHeader(code, buffer.WrittenCount));
        w.WriteRaw(buffer.WrittenSpan);
    }

    private void WriteSequence(ref MessagePackWriter w, sbyte code, IReadOnlyList<object?> items, int depth)
    {
        var buffer = Buffer(out var inner);
        inner.WriteArrayHeader(items.Count);
        for (var i = 0; i < items.Count; i++) Write(ref inner, items[i], depth + 1);
        Frame(ref w, code, buffer, ref inner);
    }

    private void WriteMap(ref MessagePackWriter w, IDictionary map, int depth)
    {
        var buffer = Buffer(out var inner);
        inner.WriteMapHeader(map.Count);
        foreach (DictionaryEntry e in map)
        {
            Write(ref inner, e.Key, depth + 1);
            Write(ref inner, e.Value, depth + 1);
        }
        Frame(ref w, MapCode, buffer, ref inner);
    }

    private void WritePid(ref MessagePackWriter w, Pid pid)
    {
        var buffer = Buffer(out var inner);
        if (pid.IsUndefined)
        {
            inner.WriteNil();
        }
        else
        {
            var node = pid.Process is not null ? _cluster.Self : pid.Node;
            inner.WriteArrayHeader(3);
            inner.Write(node.Name);
            inner.Write(node.Creation);
            inner.Write(pid.Id);
        }
        Frame(ref w, PidCode, buffer, ref inner);
    }

    private static void WriteRef(ref MessagePackWriter w, Ref r)
    {
        var buffer = new ArrayBufferWriter<byte>(24);
        var inner = new MessagePackWriter(buffer);
        inner.WriteArrayHeader(2);
        inner.Write(r.Id);
        inner.Write(r.Origin == 0 ? Ref.ProgramOrigin : r.Origin);
        Frame(ref w, RefCode, buffer, ref inner);
    }

    private void WriteReason(ref MessagePackWriter w, ExitReason reason, int depth)
    {
        var buffer = Buffer(out var inner);
        inner.WriteArrayHeader(4);
        inner.Write((int)reason.Kind);
        Write(ref inner, reason.Term, depth + 1);
        if (reason.Exception is { } e)
        {
            inner.Write(e.Type);
            inner.Write(e.Message);
        }
        else
        {
            inner.WriteNil();
            inner.WriteNil();
        }
        Frame(ref w, ReasonCode, buffer, ref inner);
    }

    private void WriteRecord(ref MessagePackWriter w, Type type, string name, object value, int depth)
    {
        var buffer = Buffer(out var inner);
        inner.WriteArrayHeader(2);
        inner.Write(name);
        var outer = t_depth;
        t_depth = depth + 1;
        try
        {
            MessagePackSerializer.Serialize(type, ref inner, value, _options);
        }
        catch (MessagePackSerializationException ex) when (Innermost(ex) is { } own)
        {
            // Ours, from a member written by this codec (however deep): the sender gets it as it was raised.
            throw own;
        }
        catch (MessagePackSerializationException ex)
        {
            throw new MessageNotSerializableException($"{type} cannot be written: {ex.InnerException?.Message ?? ex.Message}", type, ex);
        }
        finally
        {
            t_depth = outer;
        }
        Frame(ref w, RecordCode, buffer, ref inner);
    }

    private static MessageNotSerializableException? Innermost(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is MessageNotSerializableException own) return own;
        }
        return null;
    }

    // ---------------------------------------------------------------- reading

    public object? Read(ref MessagePackReader r, int depth = 0)
    {
        if (depth > MaxDepth) throw new MessagePackSerializationException($"a term nests deeper than {MaxDepth} levels");
        switch (r.NextMessagePackType)
        {
            case MessagePackType.Nil:
                r.ReadNil();
                return null;
            case MessagePackType.Boolean:
                return r.ReadBoolean();
            case MessagePackType.Integer:
                return r.ReadInt64();
            case MessagePackType.Float:
                return r.ReadDouble();
            case MessagePackType.String:
                return r.ReadString();
            case MessagePackType.Binary:
                return r.ReadBytes()?.ToArray();
            case MessagePackType.Extension:
                return ReadExt(ref r, depth);
            default:
                throw new MessagePackSerializationException($"unexpected {r.NextMessagePackType} in a term");
        }
    }

    private object? ReadExt(ref MessagePackReader r, int depth)
    {
        var header = r.ReadExtensionFormatHeader();
        var body = r.ReadRaw(header.Length);
        var b = new MessagePackReader(body);
        switch (header.TypeCode)
        {
            case AtomCode:
                return Atom.Of(b.ReadString() ?? "");
            case PidCode:
                return ReadPidBody(ref b);
            case RefCode:
                {
                    Expect(b.ReadArrayHeader(), 2);
                    var id = b.ReadInt64();
                    var origin = b.ReadInt64();
                    return origin == Ref.ProgramOrigin ? new Ref(id, 0) : new Ref(id, origin);
                }
            case TupleCode:
                return new TermTuple(ReadItems(ref b, depth));
            case ListCode:
                return new TermList(ReadItems(ref b, depth));
            case ArrayCode:
                return ReadItems(ref b, depth);
            case MapCode:
                {
                    var n = b.ReadMapHeader();
                    var map = new Dictionary<object, object?>(Math.Min(n, 1024));
                    for (var i = 0; i < n; i++)
                    {
                        var key = Read(ref b, depth + 1) ?? throw new MessagePackSerializationException("a map key is nil");
                        map[key] = Read(ref b, depth + 1);
                    }
                    return map;
                }
            case ReasonCode:
                return ReadReasonBody(ref b, depth);
            case RecordCode:
                {
                    Expect(b.ReadArrayHeader(), 2);
                    var name = b.ReadString() ?? "";
                    if (!_types.TryGetType(name, out var type)) throw new UnknownMessageTypeException(name);
                    var outer = t_depth;
                    t_depth = depth + 1;
                    try
                    {
                        return MessagePackSerializer.Deserialize(type, ref b, _options);
                    }
                    finally
                    {
                        t_depth = outer;
                    }
                }
            case EnumCode:
                {
                    Expect(b.ReadArrayHeader(), 2);
                    var name = b.ReadString() ?? "";
                    if (!_types.TryGetType(name, out var type) || !type.IsEnum) throw new UnknownMessageTypeException(name);
                    return Enum.ToObject(type, b.ReadInt64());
                }
            case Int32Code:
                return b.ReadInt32();
            case Int16Code:
                return b.ReadInt16();
            case ByteCode:
                return b.ReadByte();
            case SByteCode:
                return b.ReadSByte();
            case UInt16Code:
                return b.ReadUInt16();
            case UInt32Code:
                return b.ReadUInt32();
            case UInt64Code:
                return b.ReadUInt64();
            case SingleCode:
                return b.ReadSingle();
            case DecimalCode:
                return decimal.Parse(b.ReadString() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            case CharCode:
                return b.ReadChar();
            case GuidCode:
                return new Guid(b.ReadBytes()?.ToArray() ?? throw new MessagePackSerializationException("a guid without bytes"));
            case DateTimeCode:
                return DateTime.FromBinary(b.ReadInt64());
            case DateTimeOffsetCode:
                {
                    Expect(b.ReadArrayHeader(), 2);
                    var ticks = b.ReadInt64();
                    var offset = TimeSpan.FromMinutes(b.ReadInt64());
                    return new DateTimeOffset(ticks + offset.Ticks, offset);
                }
            case TimeSpanCode:
                return new TimeSpan(b.ReadInt64());
            default:
                throw new MessagePackSerializationException($"unknown term code {header.TypeCode}");
        }
    }

    private static void Expect(int actual, int expected)
    {
        if (actual != expected) throw new MessagePackSerializationException($"expected {expected} elements, found {actual}");
    }

    private object?[] ReadItems(ref MessagePackReader b, int depth)
    {
        var n = b.ReadArrayHeader();
        var items = new object?[n];
        for (var i = 0; i < n; i++) items[i] = Read(ref b, depth + 1);
        return items;
    }

    private Pid ReadPidBody(ref MessagePackReader b)
    {
        if (b.TryReadNil()) return default;
        Expect(b.ReadArrayHeader(), 3);
        var name = b.ReadString() ?? "";
        var creation = b.ReadInt64();
        var id = b.ReadInt64();
        return _cluster.PidOf(new NodeIdentity(name, creation), id);
    }

    private ExitReason ReadReasonBody(ref MessagePackReader b, int depth)
    {
        Expect(b.ReadArrayHeader(), 4);
        var kind = (ExitReasonKind)b.ReadInt32();
        if (!Enum.IsDefined(kind)) throw new MessagePackSerializationException($"unknown exit reason kind {(int)kind}");
        var term = Read(ref b, depth + 1);
        var type = b.TryReadNil() ? null : b.ReadString();
        var message = b.TryReadNil() ? null : b.ReadString();
        return ExitReason.Decoded(kind, term, type is null ? null : new ExceptionInfo(type, message ?? "", null));
    }

    // ---------------------------------------------------------------- formatters for members of allowed types

    private sealed class Options : MessagePackSerializerOptions
    {
        public Options(TermCodec codec, MessagePackSerializerOptions copyFrom)
            : base(copyFrom) => Codec = codec;

        private Options(Options copyFrom)
            : base(copyFrom) => Codec = copyFrom.Codec;

        public TermCodec Codec { get; }

        protected override MessagePackSerializerOptions Clone() => new Options(this);
    }

    private abstract class TermFormatter<T>(TermCodec codec) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) => codec.Write(ref writer, value, t_depth + 1);

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            var value = codec.Read(ref reader, t_depth + 1);
            if (value is T t) return t;
            if (value is null && default(T) is null) return default!;
            throw new MessagePackSerializationException($"expected {typeof(T).Name}, found {value?.GetType().Name ?? "nil"}");
        }
    }

    private sealed class PidFormatter(TermCodec codec) : TermFormatter<Pid>(codec);

    private sealed class RefFormatter(TermCodec codec) : TermFormatter<Ref>(codec);

    private sealed class AtomFormatter(TermCodec codec) : TermFormatter<Atom>(codec);

    private sealed class ReasonFormatter(TermCodec codec) : TermFormatter<ExitReason>(codec);

    private sealed class ObjectFormatter(TermCodec codec) : TermFormatter<object>(codec);
}
