using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Serialization;

/// <summary>
/// Writes a <see cref="TensorPayload"/> as one length-prefixed field: rows and columns (4 bytes each,
/// little-endian), then the float32 values as raw little-endian bytes. Orleans' default codec for a <c>float[]</c>
/// writes a tagged field per element, which is several times slower across silos.
/// </summary>
[RegisterSerializer]
internal sealed class TensorPayloadCodec : IFieldCodec<TensorPayload>
{
    private const int HeaderBytes = 8;

    static TensorPayloadCodec()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Pcn's tensor codec sends raw little-endian floats; this machine is big-endian.");
        }
    }

    /// <inheritdoc/>
    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, [AllowNull] Type expectedType, [AllowNull] TensorPayload value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(value);  // null was written as a reference above
        ReadOnlySpan<byte> bytes = value.Bytes;
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(TensorPayload), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)(HeaderBytes + bytes.Length));
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, value.Rows);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], value.Columns);
        writer.Write(header);
        writer.Write(bytes);
    }

    /// <inheritdoc/>
    public TensorPayload ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<TensorPayload, TInput>(ref reader, field)!;
        }

        field.EnsureWireType(WireType.LengthPrefixed);
        uint length = reader.ReadVarUInt32();
        Span<byte> header = stackalloc byte[HeaderBytes];
        reader.ReadBytes(header);
        int rows = BinaryPrimitives.ReadInt32LittleEndian(header);
        int columns = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        long count = (long)rows * columns;
        if (rows < 0 || columns < 0 || length != HeaderBytes + (count * sizeof(float)))
        {
            throw new InvalidDataException($"Corrupt tensor payload: {rows}×{columns} does not fit its {length}-byte field.");
        }

        float[] values = new float[count];
        reader.ReadBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        var result = new TensorPayload(rows, columns, values);
        ReferenceCodec.RecordObject(reader.Session, result);
        return result;
    }
}
