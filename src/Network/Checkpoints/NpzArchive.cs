using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Pcn.Network.Checkpoints;

/// <summary>
/// One array of an <see cref="NpzArchive"/>: its shape and its values (float32, or int64 for counters). Stored as
/// numpy's .npy format 1.0, little-endian, C order, so <c>numpy.load</c> reads it as it is.
/// </summary>
/// <param name="Shape">Dimensions; empty for a scalar.</param>
/// <param name="Floats">float32 values (null for an int64 array).</param>
/// <param name="Integers">int64 values (null for a float32 array).</param>
public sealed record NpyArray(int[] Shape, float[]? Floats, long[]? Integers)
{
    /// <summary>A float32 array.</summary>
    public static NpyArray Of(float[] values, params int[] shape) => new(shape, values, null);

    /// <summary>An int64 scalar.</summary>
    public static NpyArray Scalar(long value) => new([], null, [value]);

    /// <summary>Element count.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// Reads and writes numpy's .npz (a zip of .npy members, stored uncompressed): the format of Pcn's checkpoints and
/// exported weights. Members that are not arrays (a JSON configuration) are kept as raw bytes, which
/// <c>numpy.load(...)[name]</c> returns as they are.
/// </summary>
public static partial class NpzArchive
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes <paramref name="arrays"/> (name → array, ".npy" appended) and <paramref name="files"/> (raw members) to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, NpyArray>> arrays, IEnumerable<KeyValuePair<string, byte[]>>? files = null)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach ((string name, NpyArray array) in arrays)
        {
            ZipArchiveEntry entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
            using Stream member = entry.Open();
            WriteNpy(member, array);
        }

        foreach ((string name, byte[] bytes) in files ?? [])
        {
            ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            using Stream member = entry.Open();
            member.Write(bytes);
        }
    }

    /// <summary>
    /// Reads every member of the .npz at <paramref name="path"/>: arrays by name without ".npy", other members as bytes.
    /// A malformed file is an <see cref="InvalidDataException"/> naming it. With <paramref name="include"/>, only the
    /// members it accepts (by array name, or file name for other members) are read: one layer needs one array of a
    /// file that holds the whole network.
    /// </summary>
    public static (Dictionary<string, NpyArray> Arrays, Dictionary<string, byte[]> Files) Read(string path, Func<string, bool>? include = null)
    {
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                bool isArray = entry.FullName.EndsWith(".npy", StringComparison.Ordinal);
                if (include is not null && !include(isArray ? entry.FullName[..^4] : entry.FullName))
                {
                    continue;
                }

                using Stream member = entry.Open();
                using var buffer = new MemoryStream();
                member.CopyTo(buffer);
                byte[] bytes = buffer.ToArray();
                if (isArray)
                {
                    arrays[entry.FullName[..^4]] = ReadNpy(bytes, entry.FullName);
                }
                else
                {
                    files[entry.FullName] = bytes;
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a readable .npz file: {e.Message}", e);
        }

        return (arrays, files);
    }

    /// <summary>Writes one array in .npy format 1.0.</summary>
    public static void WriteNpy(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        string descr = array.Floats is not null ? "<f4" : "<i8";
        string shape = array.Shape.Length switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

        // The header is padded with spaces and ends in '\n' so that the data starts on a 64-byte boundary.
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - (unpadded % 64)) % 64) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Pcn writes .npy files on little-endian machines only.");
        }

        if (array.Floats is { } floats)
        {
            stream.Write(MemoryMarshal.AsBytes(floats.AsSpan()));
        }
        else
        {
            stream.Write(MemoryMarshal.AsBytes(array.Integers!.AsSpan()));
        }
    }

    private static NpyArray ReadNpy(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"member {name} is not a .npy array");
        }

        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        if (start + headerLength > bytes.Length)
        {
            throw new InvalidDataException($"member {name} has a truncated header");
        }

        string header = Encoding.ASCII.GetString(bytes, start, headerLength);
        Match descr = DescrPattern().Match(header), order = OrderPattern().Match(header), shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
        {
            throw new InvalidDataException($"member {name} has a header numpy did not write: {header.Trim()}");
        }

        if (order.Groups[1].Value != "False")
        {
            throw new InvalidDataException($"member {name} is in Fortran order; save it C-contiguous (numpy.ascontiguousarray)");
        }

        int[] shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, d) => a * d);
        ReadOnlySpan<byte> data = bytes.AsSpan(start + headerLength);
        string type = descr.Groups[1].Value;
        int size = type switch { "<f4" => 4, "<f8" or "<i8" => 8, "<i4" => 4, _ => 0 };
        if (size == 0)
        {
            throw new InvalidDataException($"member {name} has dtype {type}; Pcn reads float32, float64, int32 and int64 (little-endian)");
        }

        if (data.Length != count * size)
        {
            throw new InvalidDataException($"member {name} holds {data.Length} bytes of data where shape ({string.Join(", ", shape)}) of {type} needs {count * size}");
        }

        return type switch
        {
            "<f4" => new NpyArray(shape, MemoryMarshal.Cast<byte, float>(data).ToArray(), null),
            "<f8" => new NpyArray(shape, MemoryMarshal.Cast<byte, double>(data).ToArray().Select(v => (float)v).ToArray(), null),
            "<i4" => new NpyArray(shape, null, MemoryMarshal.Cast<byte, int>(data).ToArray().Select(v => (long)v).ToArray()),
            _ => new NpyArray(shape, null, MemoryMarshal.Cast<byte, long>(data).ToArray()),
        };
    }

    [GeneratedRegex(@"'descr':\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order':\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
