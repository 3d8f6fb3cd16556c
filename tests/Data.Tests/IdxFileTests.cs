using Pcn.Data;
using Pcn.Tests.Shared;

namespace Pcn.Data.Tests;

public sealed class IdxFileTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_RoundTripsDimensionsAndData_ForRawAndGzippedFiles(bool gzip)
    {
        byte[] data = IdxTestFiles.Bytes(3 * 5 * 4, seed: 1);
        string path = _files.Write("images", IdxTestFiles.Idx([3, 5, 4], data), gzip);

        IdxFile file = IdxFile.Read(path);

        Assert.Equal([3, 5, 4], file.Dimensions);
        Assert.Equal(data, file.Data);
        Assert.Equal(path, file.Path);
        Assert.Equal("3×5×4", file.Shape);
    }

    [Fact]
    public void Read_DetectsCompressionByContent_NotByExtension()
    {
        byte[] data = IdxTestFiles.Bytes(7, seed: 2);
        string rawNamedGz = _files.Write("labels.gz", IdxTestFiles.Idx([7], data));
        string gzNamedRaw = _files.Write("labels.idx", IdxTestFiles.Idx([7], data), gzip: true);

        Assert.Equal(data, IdxFile.Read(rawNamedGz).Data);
        Assert.Equal(data, IdxFile.Read(gzNamedRaw).Data);
    }

    [Fact]
    public void Read_ReadsFourDimensions()
    {
        byte[] data = IdxTestFiles.Bytes(2 * 3 * 1 * 2, seed: 3);
        string path = _files.Write("four", IdxTestFiles.Idx([2, 3, 1, 2], data));

        Assert.Equal([2, 3, 1, 2], IdxFile.Read(path).Dimensions);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_Throws_ForWrongMagic(bool gzip)
    {
        byte[] content = IdxTestFiles.Idx([2], [0, 1]);
        content[0] = 0x12;
        content[1] = 0x34;
        string path = _files.Write("train-images-idx3-ubyte", content, gzip);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("wrong magic 0x12340801", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0x00000803 for images", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x09, "signed byte")]
    [InlineData(0x0D, "float32")]
    [InlineData(0x07, "not an IDX type")]
    public void Read_Throws_ForUnsupportedType(byte type, string typeName)
    {
        string path = _files.Write("typed", [.. IdxTestFiles.Header(type, 2), 0, 1]);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"unsupported IDX data type 0x{type:X2} ({typeName})", ex.Message, StringComparison.Ordinal);
        Assert.Contains("only 0x08 (unsigned byte)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Read_Throws_ForDimensionCountOutsideOneToFour(int rank)
    {
        int[] dimensions = Enumerable.Repeat(1, rank).ToArray();
        string path = _files.Write("rank", [.. IdxTestFiles.Header(0x08, dimensions), 0]);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{rank} dimensions, expected 1..4", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Read_Throws_ForDimensionBelowOne(int dimension)
    {
        string path = _files.Write("dims", IdxTestFiles.Idx([4, dimension, 2], []));

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"dimension 1 is {dimension}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Throws_ForHeaderBeyondArrayLimits()
    {
        string path = _files.Write("huge", IdxTestFiles.Idx([60000, 60000, 28], []));

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains("60000×60000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("largest array", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "file has 5")]
    [InlineData(true, "decompressed content has 5")]
    public void Read_Throws_ForTruncatedData(bool gzip, string has)
    {
        string path = _files.Write("train-images-idx3-ubyte", IdxTestFiles.Idx([3, 2, 2], [1, 2, 3, 4, 5]), gzip);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"truncated: header says 3×2×2 = 12 bytes, {has}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0, 0, 8 })]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0 })]
    public void Read_Throws_ForTruncatedHeader(byte[] content)
    {
        string path = _files.Write("short", content);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated header", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_Throws_ForTrailingBytes(bool gzip)
    {
        string path = _files.Write("labels", IdxTestFiles.Idx([3], [1, 2, 3, 4, 5]), gzip);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 trailing bytes after the 3 = 3 data bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Throws_ForGzipMagicFollowedByGarbage()
    {
        byte[] garbage = [0x1F, 0x8B, .. IdxTestFiles.Bytes(64, seed: 4)];
        string path = _files.Write("garbage.gz", garbage);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt gzip stream", ex.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(ex.InnerException);
    }

    [Fact]
    public void Read_Throws_ForGzipWithCorruptedCompressedBody()
    {
        byte[] compressed = IdxTestFiles.Gzip(IdxTestFiles.Idx([4000], IdxTestFiles.Bytes(4000, seed: 5, exclusiveMax: 4)));
        for (int i = 20; i < compressed.Length - 20; i += 7)
        {
            compressed[i] ^= 0x5A;
        }

        string path = _files.Write("corrupt.gz", compressed);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt gzip stream", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Throws_ForGzipCutOffMidStream()
    {
        byte[] compressed = IdxTestFiles.Gzip(IdxTestFiles.Idx([5000], IdxTestFiles.Bytes(5000, seed: 6)));
        string path = _files.Write("cut.gz", compressed[..(compressed.Length / 2)]);

        var ex = Assert.Throws<IdxFormatException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated: header says 5000 = 5000 bytes, decompressed content has", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ThrowsFileNotFound_NamingThePath()
    {
        string path = Path.Combine(_files.Directory, "absent-idx1-ubyte.gz");

        var ex = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(path));

        Assert.Equal(path, ex.FileName);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ThrowsFileNotFound_WithInstallHint_InDefaultFashionMnistDirectory()
    {
        string path = Path.Combine(Dataset.DefaultFashionMnistDirectory, "no-such-file-idx1-ubyte.gz");

        var ex = Assert.Throws<FileNotFoundException>(() => IdxFile.Read(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message, StringComparison.Ordinal);
    }
}
