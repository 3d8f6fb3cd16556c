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

    /// <summary>Fashion-MNIST from Debian's package, normalised with mean 0.5 and std 0.5 (spec §6).</summary>
    public static DataSource FashionMnist(string? directory = null) => new(directory ?? FashionMnistDirectory, 0.5f, 0.5f);

    /// <summary>MNIST from <paramref name="directory"/>, normalised with mean 0.1307 and std 0.3081.</summary>
    public static DataSource Mnist(string directory) => new(directory, 0.1307f, 0.3081f);
}
