using System.Buffers.Binary;
using System.IO.Compression;

namespace Pcn.Tests.Shared;

/// <summary>Builds IDX files byte by byte in a private temporary directory, deleted on dispose.</summary>
internal sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "pcn-idx-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>A well-formed header: 0x00 0x00 type rank, then the dimensions big-endian.</summary>
    public static byte[] Header(byte type, params int[] dimensions)
    {
        byte[] header = new byte[4 + (4 * dimensions.Length)];
        header[2] = type;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        return header;
    }

    /// <summary>An unsigned-byte IDX file's bytes: header then data, as given (so the two may disagree).</summary>
    public static byte[] Idx(int[] dimensions, byte[] data) => [.. Header(0x08, dimensions), .. data];

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    /// <summary>Deterministic pseudo-random bytes below <paramref name="exclusiveMax"/>.</summary>
    public static byte[] Bytes(int count, int seed, int exclusiveMax = 256)
    {
        var random = new Random(seed);
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)random.Next(exclusiveMax);
        }

        return bytes;
    }

    public string Write(string name, byte[] content, bool gzip = false)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, gzip ? Gzip(content) : content);
        return path;
    }

    /// <summary>Writes the four MNIST-layout files (gzipped training set, raw test set unless told otherwise).</summary>
    public void WriteDataset(
        byte[] trainImages, int[] trainImageDims, byte[] trainLabels, int[] trainLabelDims,
        byte[] testImages, int[] testImageDims, byte[] testLabels, int[] testLabelDims,
        bool gzipTest = false)
    {
        Write("train-images-idx3-ubyte.gz", Idx(trainImageDims, trainImages), gzip: true);
        Write("train-labels-idx1-ubyte.gz", Idx(trainLabelDims, trainLabels), gzip: true);
        Write(gzipTest ? "t10k-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte", Idx(testImageDims, testImages), gzipTest);
        Write(gzipTest ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte", Idx(testLabelDims, testLabels), gzipTest);
    }

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
