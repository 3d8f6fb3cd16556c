using System.Buffers.Binary;
using System.IO.Compression;

namespace Pcn.Data;

/// <summary>
/// An IDX file (the MNIST layout) of unsigned bytes: a big-endian magic <c>0x00 0x00 type ndims</c>, then
/// <c>ndims</c> big-endian int32 dimensions, then the data, row-major (last dimension fastest). Labels are
/// <c>0x00000801</c> (1-D), images <c>0x00000803</c> (count × rows × columns).
/// </summary>
internal sealed class IdxFile
{
    /// <summary>IDX type code of unsigned bytes, the only type read.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Largest number of dimensions accepted.</summary>
    public const int MaxDimensions = 4;

    private const int ReadBufferSize = 1 << 20;

    private IdxFile(string path, int[] dimensions, byte[] data)
    {
        Path = path;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The dimensions from the header, each ≥ 1 (for images: count, rows, columns).</summary>
    public int[] Dimensions { get; }

    /// <summary>The data, row-major; its length is the product of <see cref="Dimensions"/>.</summary>
    public byte[] Data { get; }

    /// <summary>The dimensions as "60000×28×28", for messages.</summary>
    public string Shape => FormatShape(Dimensions);

    /// <summary>
    /// Reads an IDX file, raw or gzip-compressed (recognised by its first two bytes 0x1F 0x8B, whatever its name).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names it and, in the default
    /// Fashion-MNIST directory, how to install the data).</exception>
    /// <exception cref="IdxFormatException">Wrong magic, a type other than unsigned byte, a dimension count outside
    /// 1..4, a zero or negative dimension, truncated or trailing data, or a corrupt gzip stream.</exception>
    public static IdxFile Read(string path) => Open(path, headerOnly: false);

    /// <summary>
    /// Reads only the header of an IDX file (decompressing no more than its first bytes): a cheap check, before any
    /// work starts, that the file can be opened and read and is an IDX file, and what it holds.
    /// </summary>
    /// <returns>The dimensions from the header.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading (the message names it).</exception>
    /// <exception cref="IdxFormatException">The header is malformed.</exception>
    public static int[] ReadDimensions(string path) => Open(path, headerOnly: true).Dimensions;

    internal static string FormatShape(ReadOnlySpan<int> dimensions)
    {
        return string.Join("×", dimensions.ToArray());
    }

    private static IdxFile Open(string path, bool headerOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            string hint = Dataset.IsDefaultDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)))
                ? $"; {Dataset.InstallHint}"
                : string.Empty;
            throw new FileNotFoundException($"IDX file not found: {path}{hint}", path);
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize, FileOptions.SequentialScan);
        }
        catch (UnauthorizedAccessException ex)
        {
            // .NET's own message does not say what to do about it.
            throw new UnauthorizedAccessException($"Cannot read the IDX file {path}: permission denied (the user running pcn needs read access to it)", ex);
        }

        using (file)
        {
            Span<byte> gzipMagic = stackalloc byte[2];
            int sniffed = file.ReadAtLeast(gzipMagic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzipped = sniffed == 2 && gzipMagic[0] == 0x1F && gzipMagic[1] == 0x8B;
            if (!gzipped)
            {
                return Parse(path, file, gzipped: false, headerOnly);
            }

            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            try
            {
                return Parse(path, gzip, gzipped: true, headerOnly);
            }
            catch (InvalidDataException ex)
            {
                throw new IdxFormatException(path, $"corrupt gzip stream ({ex.Message})", ex);
            }
        }
    }

    private static IdxFile Parse(string path, Stream stream, bool gzipped, bool headerOnly)
    {
        string content = gzipped ? "decompressed content" : "file";
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw new IdxFormatException(path, $"truncated header: {content} has {got} bytes, an IDX header needs at least 4");
        }

        uint magicNumber = BinaryPrimitives.ReadUInt32BigEndian(magic);
        byte type = magic[2];
        int rank = magic[3];
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new IdxFormatException(path, $"wrong magic 0x{magicNumber:X8} (expected 0x00000801 for labels or 0x00000803 for images)");
        }

        if (type != UnsignedByteType)
        {
            throw new IdxFormatException(
                path,
                $"unsupported IDX data type 0x{type:X2} ({TypeName(type)}) in magic 0x{magicNumber:X8}; only 0x08 (unsigned byte) is supported");
        }

        if (rank < 1 || rank > MaxDimensions)
        {
            throw new IdxFormatException(
                path,
                $"wrong magic 0x{magicNumber:X8}: {rank} dimensions, expected 1..{MaxDimensions} (0x00000801 for labels or 0x00000803 for images)");
        }

        Span<byte> header = stackalloc byte[4 * MaxDimensions];
        header = header[..(4 * rank)];
        got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
        {
            throw new IdxFormatException(
                path,
                $"truncated header: magic 0x{magicNumber:X8} announces {rank} dimensions ({header.Length} bytes) but the {content} has only {got} after the magic");
        }

        int[] dimensions = new int[rank];
        long length = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(header[(4 * i)..]);
            if (dimensions[i] <= 0)
            {
                throw new IdxFormatException(path, $"dimension {i} is {dimensions[i]} in header {FormatShape(dimensions.AsSpan(0, i + 1))}; every dimension must be ≥ 1");
            }

            length *= dimensions[i];
            if (length > Array.MaxLength)
            {
                throw new IdxFormatException(path, $"header {FormatShape(dimensions.AsSpan(0, i + 1))} describes more than {Array.MaxLength} bytes, the largest array .NET can hold");
            }
        }

        if (headerOnly)
        {
            return new IdxFile(path, dimensions, []);
        }

        byte[] data = GC.AllocateUninitializedArray<byte>((int)length);
        got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
        {
            throw new IdxFormatException(path, $"truncated: header says {FormatShape(dimensions)} = {length} bytes, {content} has {got}");
        }

        long trailing = CountRemaining(stream);
        if (trailing > 0)
        {
            throw new IdxFormatException(path, $"{trailing} trailing bytes after the {FormatShape(dimensions)} = {length} data bytes the header declares");
        }

        return new IdxFile(path, dimensions, data);
    }

    private static long CountRemaining(Stream stream)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long total = 0;
        int read;
        while ((read = stream.Read(scratch)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };
}
