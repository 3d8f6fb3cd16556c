using System.Diagnostics;
using Pcn.Data;

namespace Pcn.Data.Tests;

/// <summary>The installed Fashion-MNIST (Debian package dataset-fashion-mnist), loaded once for its test class.</summary>
public sealed class FashionMnistFixture
{
    public FashionMnistFixture()
    {
        var clock = Stopwatch.StartNew();
        Data = Dataset.Load(Dataset.DefaultFashionMnistDirectory, Normalisation.FashionMnist);
        LoadTime = clock.Elapsed;
    }

    public Dataset Data { get; }

    public TimeSpan LoadTime { get; }
}
