using System.Runtime.InteropServices;

namespace Pcn.Abstractions.Messages;

/// <summary>
/// A row-major float32 matrix sent between grains: an activity <c>z</c>, a feedback <c>a·d·W</c>, an error or a
/// batch. Immutable by contract: the sender builds it once and never touches it again, so inside a silo Orleans
/// passes the reference without copying; between silos <see cref="Serialization.TensorPayloadCodec"/> writes it
/// as raw little-endian bytes instead of one field per element.
/// </summary>
[Immutable]
public sealed class TensorPayload
{
    private readonly float[] _values;

    /// <summary>Wraps <paramref name="values"/> (rows × columns, row-major); the caller gives up the array.</summary>
    public TensorPayload(int rows, int columns, float[] values)
        : this(rows, columns, values, exactLength: true)
    {
    }

    private TensorPayload(int rows, int columns, float[] values, bool exactLength)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        long count = (long)rows * columns;
        if (exactLength ? count != values.Length : count > values.Length)
        {
            throw new ArgumentException($"A {rows}×{columns} payload needs {count} values, not {values.Length}.", nameof(values));
        }

        Rows = rows;
        Columns = columns;
        _values = values;
    }

    /// <summary>Rows (the batch).</summary>
    public int Rows { get; }

    /// <summary>Columns (the layer width).</summary>
    public int Columns { get; }

    /// <summary>The values, row-major.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, Rows * Columns);

    /// <summary>The values as raw bytes (the machine's byte order, which the codec requires to be little-endian).</summary>
    public ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(Values);

    /// <summary>
    /// A payload over the first rows × columns values of an array the sender keeps (a layer's own buffer, not a copy).
    /// The sender must not write those values while the message is in flight or unread: layers double-buffer what they
    /// send, and a neighbour answers a step's message before the sender can reach the step that reuses its buffer.
    /// </summary>
    public static TensorPayload View(int rows, int columns, float[] values) => new(rows, columns, values, exactLength: false);

    /// <summary>"R×C", for messages.</summary>
    public string Shape => $"{Rows}×{Columns}";
}
