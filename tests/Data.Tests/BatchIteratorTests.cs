using Pcn.Data;

namespace Pcn.Data.Tests;

public sealed class BatchIteratorTests
{
    private const int Features = 3;

    [Theory]
    [InlineData(100, 64, 1)]
    [InlineData(128, 64, 2)]
    [InlineData(63, 64, 0)]
    [InlineData(10000, 64, 156)]
    [InlineData(7, 1, 7)]
    public void BatchCount_DropsTheIncompleteLastBatch(int count, int batchSize, int expected)
    {
        Assert.Equal(expected, new BatchIterator(Set(count), batchSize, seed: 1).BatchCount);
    }

    [Fact]
    public void BeginEpoch_GivesAPermutation_EveryIndexOnce()
    {
        var iterator = new BatchIterator(Set(1000), 64, seed: 3);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            iterator.BeginEpoch(epoch);
            Assert.Equal(Enumerable.Range(0, 1000), iterator.Order.ToArray().Order());
            Assert.NotEqual(Enumerable.Range(0, 1000), iterator.Order.ToArray());
        }
    }

    [Fact]
    public void Order_IsTheSame_ForTheSameSeedAndEpoch()
    {
        var first = new BatchIterator(Set(500), 32, seed: 11);
        var second = new BatchIterator(Set(500), 32, seed: 11);
        first.BeginEpoch(4);
        second.BeginEpoch(2);
        second.BeginEpoch(4);

        Assert.Equal(first.Order.ToArray(), second.Order.ToArray());
    }

    [Fact]
    public void Order_Differs_BetweenEpochsAndBetweenSeeds()
    {
        var iterator = new BatchIterator(Set(500), 32, seed: 11);
        int[] epoch0 = iterator.Order.ToArray();
        iterator.BeginEpoch(1);
        int[] epoch1 = iterator.Order.ToArray();
        int[] otherSeed = new BatchIterator(Set(500), 32, seed: 12).Order.ToArray();

        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(epoch0, otherSeed);
    }

    [Fact]
    public void Order_MatchesIndependentFisherYates()
    {
        // From the independent Python implementation in SeededGeneratorTests: seed 5, streams
        // ShuffleStreamBase + epoch, for i = 9..1 swap(p[i], p[NextInt(i + 1)]).
        var iterator = new BatchIterator(Set(10), 2, seed: 5);
        Assert.Equal([7, 8, 6, 5, 3, 9, 1, 4, 0, 2], iterator.Order.ToArray());

        iterator.BeginEpoch(1);
        Assert.Equal([9, 4, 7, 6, 0, 3, 2, 1, 5, 8], iterator.Order.ToArray());
    }

    [Fact]
    public void Unshuffled_KeepsTheNaturalOrder_InEveryEpoch()
    {
        var iterator = new BatchIterator(Set(50), 8, seed: 5, shuffle: false);
        iterator.BeginEpoch(7);

        Assert.Equal(7, iterator.Epoch);
        Assert.Equal(Enumerable.Range(0, 50), iterator.Order.ToArray());
    }

    [Fact]
    public void Fill_CopiesRowsLabelsAndOneHotTargets_InEpochOrder()
    {
        LabelledSet set = Set(100);
        var iterator = new BatchIterator(set, 8, seed: 21);
        iterator.BeginEpoch(2);
        float[] x = new float[8 * Features];
        float[] y = new float[8 * set.Classes];
        y.AsSpan().Fill(-7f);
        byte[] labels = new byte[8];

        iterator.Fill(3, x, y, labels);

        for (int r = 0; r < 8; r++)
        {
            int sample = iterator.Order[24 + r];
            Assert.Equal(set.Image(sample).ToArray(), x.AsSpan(r * Features, Features).ToArray());
            Assert.Equal(set.Labels[sample], labels[r]);
            for (int k = 0; k < set.Classes; k++)
            {
                Assert.Equal(k == labels[r] ? 1f : 0f, y[(r * set.Classes) + k]);
            }
        }
    }

    [Fact]
    public void Fill_VisitsEachSampleAtMostOnce_AndDropsTheRemainder()
    {
        LabelledSet set = Set(100);
        var iterator = new BatchIterator(set, 64, seed: 8);
        float[] x = new float[64 * Features];
        float[] y = new float[64 * set.Classes];
        byte[] labels = new byte[64];

        iterator.Fill(0, x, y, labels);
        var seen = new HashSet<float>();
        for (int r = 0; r < 64; r++)
        {
            Assert.True(seen.Add(x[r * Features]));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => iterator.Fill(1, x, y, labels));
    }

    [Fact]
    public void Fill_DoesNotAllocate()
    {
        LabelledSet set = Set(256);
        var iterator = new BatchIterator(set, 32, seed: 2);
        float[] x = new float[32 * Features];
        float[] y = new float[32 * set.Classes];
        byte[] labels = new byte[32];
        iterator.Fill(0, x, y, labels);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int b = 0; b < iterator.BatchCount; b++)
        {
            iterator.Fill(b, x, y, labels);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [InlineData(8 * Features - 1, 80, 8)]
    [InlineData(8 * Features, 79, 8)]
    [InlineData(8 * Features, 80, 9)]
    public void Fill_Throws_WhenASpanHasTheWrongLength(int xLength, int yLength, int labelLength)
    {
        var iterator = new BatchIterator(Set(20), 8, seed: 2);

        var ex = Assert.Throws<ArgumentException>(() => iterator.Fill(0, new float[xLength], new float[yLength], new byte[labelLength]));

        Assert.Contains("must be 8×", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Rejects_BatchSizeBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchIterator(Set(5), 0, seed: 0));
    }

    /// <summary>Sample i has features (i, i + 0.25, i + 0.5) and label i mod 10, so rows identify their samples.</summary>
    private static LabelledSet Set(int count)
    {
        float[] images = new float[count * Features];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            for (int f = 0; f < Features; f++)
            {
                images[(i * Features) + f] = i + (0.25f * f);
            }

            labels[i] = (byte)(i % 10);
        }

        return new LabelledSet(images, labels, Features);
    }
}
