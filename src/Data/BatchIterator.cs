namespace Pcn.Data;

/// <summary>
/// Mini-batches of a <see cref="LabelledSet"/> with the reference's <c>drop_last=True</c>: an epoch has
/// <see cref="BatchCount"/> = ⌊Count / B⌋ batches and the incomplete last batch is never seen (spec §5).
/// </summary>
/// <remarks>
/// <para>With shuffling, the order of epoch <c>e</c> is a Fisher–Yates permutation of the identity 0 … Count − 1,
/// drawn from <c>new SeededGenerator(seed, ShuffleStreamBase + e)</c>: for <c>i</c> from Count − 1 down to 1,
/// swap positions <c>i</c> and <c>NextInt(i + 1)</c>. Each epoch depends only on (seed, e), so a run can resume at
/// any epoch; the stream base keeps these draws apart from weight initialisation on small streams of the same seed.</para>
/// <para>Without shuffling (<c>shuffle: false</c>, used for test sets) the order is the natural one in every epoch.
/// The reference shuffles its test loader too, but accuracy over all full batches is a mean over the samples seen,
/// independent of their order; the only difference is which Count mod B samples are dropped (the last 16 of the
/// 10,000 test images at B = 64, rather than 16 random ones), which keeps evaluation deterministic and comparable
/// across runs.</para>
/// </remarks>
public sealed class BatchIterator
{
    /// <summary>Stream of epoch 0's shuffle; epoch e uses this plus e (ASCII "SHUFFLE" in the high bytes).</summary>
    public const ulong ShuffleStreamBase = 0x5348_5546_464C_4500UL;

    private readonly int[] _order;

    /// <summary>Creates the iterator positioned at epoch 0.</summary>
    /// <param name="set">The samples.</param>
    /// <param name="batchSize">B ≥ 1.</param>
    /// <param name="seed">The shuffle seed (ignored when <paramref name="shuffle"/> is false).</param>
    /// <param name="shuffle">False keeps the natural order.</param>
    public BatchIterator(LabelledSet set, int batchSize, ulong seed, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Set = set;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        _order = new int[set.Count];
        BeginEpoch(0);
    }

    /// <summary>The samples.</summary>
    public LabelledSet Set { get; }

    /// <summary>B, samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The shuffle seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether epochs are shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>⌊Count / B⌋, full batches per epoch.</summary>
    public int BatchCount => Set.Count / BatchSize;

    /// <summary>The epoch whose order <see cref="Fill"/> uses.</summary>
    public int Epoch { get; private set; }

    /// <summary>The current epoch's order: position i of the epoch is sample <c>Order[i]</c>.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>Sets the order to that of <paramref name="epoch"/> (see the remarks on the type).</summary>
    public void BeginEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Epoch = epoch;
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        if (!Shuffle)
        {
            return;
        }

        var generator = new SeededGenerator(Seed, ShuffleStreamBase + (ulong)epoch);
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = generator.NextInt(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    /// <summary>
    /// Copies batch <paramref name="batchIndex"/> of the current epoch without allocating: row r is sample
    /// <c>Order[batchIndex·B + r]</c>.
    /// </summary>
    /// <param name="batchIndex">0 … BatchCount − 1.</param>
    /// <param name="x">B × Features inputs, row-major.</param>
    /// <param name="yOneHot">B × Classes one-hot targets (1 at the label, 0 elsewhere).</param>
    /// <param name="labels">B labels.</param>
    /// <exception cref="ArgumentOutOfRangeException">The batch index is out of range.</exception>
    /// <exception cref="ArgumentException">A span's length is not the batch's.</exception>
    public void Fill(int batchIndex, Span<float> x, Span<float> yOneHot, Span<byte> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, BatchCount);
        int features = Set.Features;
        int classes = Set.Classes;
        RequireLength(nameof(x), x.Length, BatchSize, features);
        RequireLength(nameof(yOneHot), yOneHot.Length, BatchSize, classes);
        RequireLength(nameof(labels), labels.Length, BatchSize, 1);

        yOneHot.Clear();
        ReadOnlySpan<float> images = Set.Images;
        int start = batchIndex * BatchSize;
        for (int r = 0; r < BatchSize; r++)
        {
            int sample = _order[start + r];
            images.Slice(sample * features, features).CopyTo(x.Slice(r * features, features));
            byte label = Set.Labels[sample];
            labels[r] = label;
            yOneHot[(r * classes) + label] = 1f;
        }
    }

    private static void RequireLength(string name, int actual, int rows, int columns)
    {
        if (actual != rows * columns)
        {
            throw new ArgumentException($"BatchIterator.Fill: {name} has {actual} elements but must be {rows}×{columns} = {rows * columns}.", name);
        }
    }
}
