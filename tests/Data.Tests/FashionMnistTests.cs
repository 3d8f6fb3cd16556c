using System.Buffers.Binary;
using System.IO.Compression;
using Pcn.Data;
using Xunit.Abstractions;

namespace Pcn.Data.Tests;

public sealed class FashionMnistTests(FashionMnistFixture fixture, ITestOutputHelper output) : IClassFixture<FashionMnistFixture>
{
    private readonly Dataset _data = fixture.Data;

    [Fact]
    public void Load_GivesSixtyAndTenThousandImagesOf784Features()
    {
        output.WriteLine($"Fashion-MNIST load time: {fixture.LoadTime.TotalMilliseconds:F0} ms");

        Assert.Equal(60000, _data.Train.Count);
        Assert.Equal(10000, _data.Test.Count);
        Assert.Equal(28, _data.ImageRows);
        Assert.Equal(28, _data.ImageColumns);
        Assert.Equal(784, _data.Train.Features);
        Assert.Equal(784, _data.Test.Features);
        Assert.Equal(60000 * 784, _data.Train.Images.Length);
        Assert.Equal(10000 * 784, _data.Test.Images.Length);
        Assert.Equal(10, _data.Train.Classes);
    }

    [Fact]
    public void Load_GivesBalancedLabelsInZeroToNine()
    {
        // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
        Assert.All(Histogram(_data.Train.Labels), count => Assert.Equal(6000, count));
        Assert.All(Histogram(_data.Test.Labels), count => Assert.Equal(1000, count));
    }

    [Fact]
    public void Load_NormalisesPixelsToExactlyMinusOneToOne()
    {
        foreach (LabelledSet set in new[] { _data.Train, _data.Test })
        {
            Assert.Equal(-1f, set.Images.Min());
            Assert.Equal(1f, set.Images.Max());
        }
    }

    [Fact]
    public void Load_MatchesRawBytes_OfFirstTrainingImage()
    {
        // Decompress independently of IdxFile: 16-byte header (magic, count, rows, columns), then pixels.
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Dataset.DefaultFashionMnistDirectory, "train-images-idx3-ubyte.gz")), CompressionMode.Decompress);
        byte[] head = new byte[16 + 784];
        gzip.ReadExactly(head);
        Assert.Equal(0x00000803, BinaryPrimitives.ReadInt32BigEndian(head));
        Assert.Equal(60000, BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4)));

        ReadOnlySpan<float> first = _data.Train.Image(0);
        for (int i = 0; i < 784; i++)
        {
            Assert.Equal(((head[16 + i] / 255f) - 0.5f) / 0.5f, first[i]);
        }

        // The reference's x = 2p/255 − 1 agrees to float rounding.
        Assert.Equal((2.0 * head[16 + 400] / 255.0) - 1.0, first[400], 1e-6);
    }

    [Fact]
    public void Load_MatchesRawBytes_OfFirstLabels()
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Dataset.DefaultFashionMnistDirectory, "t10k-labels-idx1-ubyte.gz")), CompressionMode.Decompress);
        byte[] head = new byte[8 + 20];
        gzip.ReadExactly(head);

        Assert.Equal(head.AsSpan(8).ToArray(), _data.Test.Labels.AsSpan(0, 20).ToArray());
    }

    [Fact]
    public void BatchIterator_GivesReferenceBatchCounts_AtBatchSize64()
    {
        // Spec §5: 937 training iterations per epoch, 156 test batches (9,984 images) with drop_last.
        Assert.Equal(937, new BatchIterator(_data.Train, 64, seed: 0).BatchCount);
        Assert.Equal(156, new BatchIterator(_data.Test, 64, seed: 0, shuffle: false).BatchCount);
    }

    private static int[] Histogram(byte[] labels)
    {
        int[] counts = new int[10];
        foreach (byte label in labels)
        {
            Assert.InRange(label, (byte)0, (byte)9);
            counts[label]++;
        }

        return counts;
    }
}
