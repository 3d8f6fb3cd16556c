namespace Pcn.Data;

/// <summary>
/// Labelled samples in memory: <see cref="Images"/> is <see cref="Count"/> × <see cref="Features"/> float32, row-major
/// (each 28×28 image flattened row-major to 784, already normalised), and <see cref="Labels"/> holds one class per sample.
/// </summary>
public sealed class LabelledSet
{
    /// <summary>The number of classes when the labels do not need more.</summary>
    public const int DefaultClasses = 10;

    /// <summary>Wraps the arrays (not copied).</summary>
    /// <param name="images">Count × features values, row-major.</param>
    /// <param name="labels">Count labels, each &lt; the number of classes.</param>
    /// <param name="features">Values per sample (≥ 1).</param>
    /// <param name="classes">The number of classes; null means max(10, largest label + 1).</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a label is not below <paramref name="classes"/>.</exception>
    public LabelledSet(float[] images, byte[] labels, int features, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if ((long)labels.Length * features != images.Length)
        {
            throw new ArgumentException(
                $"LabelledSet: {labels.Length} labels × {features} features = {(long)labels.Length * features} values, but the image array has {images.Length}.",
                nameof(images));
        }

        int largest = MaxLabel(labels);
        int classCount = classes ?? Math.Max(DefaultClasses, largest + 1);
        if (classCount < 1 || largest >= classCount)
        {
            throw new ArgumentException($"LabelledSet: {classCount} classes but the largest label is {largest}.", nameof(classes));
        }

        Images = images;
        Labels = labels;
        Features = features;
        Classes = classCount;
    }

    /// <summary>Count × Features values, row-major.</summary>
    public float[] Images { get; }

    /// <summary>One label per sample, in 0 .. Classes − 1.</summary>
    public byte[] Labels { get; }

    /// <summary>The number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Values per sample (784 for 28×28 images).</summary>
    public int Features { get; }

    /// <summary>The number of classes, the width of one-hot targets.</summary>
    public int Classes { get; }

    /// <summary>The features of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Images.AsSpan(index * Features, Features);
    }

    /// <summary>The largest label, or −1 when there is none.</summary>
    internal static int MaxLabel(ReadOnlySpan<byte> labels)
    {
        int largest = -1;
        foreach (byte label in labels)
        {
            largest = Math.Max(largest, label);
        }

        return largest;
    }
}
