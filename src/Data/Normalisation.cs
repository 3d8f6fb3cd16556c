using System.Globalization;
using Pcn.Abstractions.Options;

namespace Pcn.Data;

/// <summary>
/// Per-pixel normalisation (spec §6): computes <c>x = (p/255 − mean)/std</c> in float32, in the order torchvision's
/// <c>ToTensor()</c> then <c>Normalize(mean, std)</c> does, so the values match the reference bit for bit.
/// </summary>
public sealed record Normalisation
{
    /// <summary>Creates the normalisation.</summary>
    /// <exception cref="InvalidOptionException"><paramref name="mean"/> is not finite, or <paramref name="std"/> is not finite and &gt; 0.</exception>
    public Normalisation(float mean, float std)
    {
        if (!float.IsFinite(mean))
        {
            throw new InvalidOptionException("normalisation mean", mean.ToString(CultureInfo.InvariantCulture), "must be finite");
        }

        if (!float.IsFinite(std) || std <= 0f)
        {
            throw new InvalidOptionException("normalisation std", std.ToString(CultureInfo.InvariantCulture), "must be finite and > 0");
        }

        Mean = mean;
        Std = std;
    }

    /// <summary>Fashion-MNIST: mean 0.5, std 0.5, so <c>x = 2p/255 − 1</c> ∈ [−1, 1].</summary>
    public static Normalisation FashionMnist { get; } = new(Abstractions.Messages.DataSource.FashionMnistMean, Abstractions.Messages.DataSource.FashionMnistStd);

    /// <summary>MNIST: mean 0.1307, std 0.3081.</summary>
    public static Normalisation Mnist { get; } = new(Abstractions.Messages.DataSource.MnistMean, Abstractions.Messages.DataSource.MnistStd);

    /// <summary>The mean subtracted after scaling to [0, 1].</summary>
    public float Mean { get; }

    /// <summary>The standard deviation divided by.</summary>
    public float Std { get; }

    /// <summary>Computes <c>((float)p / 255f − mean) / std</c>.</summary>
    public float Apply(byte pixel) => ((pixel / 255f) - Mean) / Std;

    /// <summary>
    /// Normalises <paramref name="pixels"/> into <paramref name="destination"/> (same length) by a 256-entry table.
    /// Called once per data set on 47 million pixels, at start-up: compiled optimised at once (measured 0.48 s for
    /// Fashion-MNIST's training images in first-tier code, 0.02 s optimised).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length != destination.Length)
        {
            throw new ArgumentException($"Normalisation.Apply: {pixels.Length} pixels but a destination of {destination.Length}.", nameof(destination));
        }

        Span<float> table = stackalloc float[256];
        for (int p = 0; p < table.Length; p++)
        {
            table[p] = Apply((byte)p);
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            destination[i] = table[pixels[i]];
        }
    }
}
