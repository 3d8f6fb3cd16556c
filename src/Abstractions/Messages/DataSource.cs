namespace Pcn.Abstractions.Messages;

/// <summary>Where a run's data lives, on the silo that hosts its coordinator.</summary>
/// <param name="Directory">The directory with the four IDX files.</param>
/// <param name="Mean">Normalisation mean (after scaling pixels to [0, 1]).</param>
/// <param name="Std">Normalisation standard deviation.</param>
/// <param name="LimitTrain">Keep only the first this many training samples.</param>
/// <param name="LimitTest">Keep only the first this many test samples.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.data-source")]
public sealed record DataSource(
    [property: Id(0)] string Directory,
    [property: Id(1)] float Mean,
    [property: Id(2)] float Std,
    [property: Id(3)] int? LimitTrain = null,
    [property: Id(4)] int? LimitTest = null)
{
    /// <summary>The directory Debian's dataset-fashion-mnist installs.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's normalisation mean (spec §6).</summary>
    public const float FashionMnistMean = 0.5f;

    /// <summary>Fashion-MNIST's normalisation standard deviation (spec §6).</summary>
    public const float FashionMnistStd = 0.5f;

    /// <summary>MNIST's normalisation mean.</summary>
    public const float MnistMean = 0.1307f;

    /// <summary>MNIST's normalisation standard deviation.</summary>
    public const float MnistStd = 0.3081f;

    /// <summary>Fashion-MNIST from Debian's package, normalised with its mean and std (spec §6).</summary>
    public static DataSource FashionMnist(string? directory = null) => new(directory ?? FashionMnistDirectory, FashionMnistMean, FashionMnistStd);

    /// <summary>MNIST from <paramref name="directory"/>, normalised with its mean and std.</summary>
    public static DataSource Mnist(string directory) => new(directory, MnistMean, MnistStd);
}
