using Pcn.Abstractions.Options;
using Pcn.Data;

namespace Pcn.Data.Tests;

public sealed class NormalisationTests
{
    [Fact]
    public void Presets_HaveTheReferenceMeanAndStd()
    {
        Assert.Equal(new Normalisation(0.5f, 0.5f), Normalisation.FashionMnist);
        Assert.Equal(0.1307f, Normalisation.Mnist.Mean);
        Assert.Equal(0.3081f, Normalisation.Mnist.Std);
    }

    [Theory]
    [InlineData(0, -1f)]
    [InlineData(255, 1f)]
    public void FashionMnist_MapsExtremePixelsToMinusOneAndOne(byte pixel, float expected)
    {
        Assert.Equal(expected, Normalisation.FashionMnist.Apply(pixel));
    }

    [Fact]
    public void Apply_OverSpan_MatchesScalarFormulaForEveryPixelValue()
    {
        byte[] pixels = Enumerable.Range(0, 256).Select(p => (byte)p).ToArray();
        float[] values = new float[256];

        Normalisation.Mnist.Apply(pixels, values);

        for (int p = 0; p < 256; p++)
        {
            Assert.Equal(((p / 255f) - 0.1307f) / 0.3081f, values[p]);
        }

        Assert.Equal(-0.1307 / 0.3081, values[0], 1e-6);
        Assert.Equal((1 - 0.1307) / 0.3081, values[255], 1e-6);
    }

    [Fact]
    public void Apply_Throws_WhenLengthsDiffer()
    {
        Assert.Throws<ArgumentException>(() => Normalisation.FashionMnist.Apply(new byte[3], new float[2]));
    }

    [Theory]
    [InlineData(0.5f, 0f)]
    [InlineData(0.5f, -1f)]
    [InlineData(0.5f, float.NaN)]
    [InlineData(float.PositiveInfinity, 1f)]
    public void Constructor_Rejects_NonFiniteMeanOrNonPositiveStd(float mean, float std)
    {
        var ex = Assert.Throws<InvalidOptionException>(() => new Normalisation(mean, std));

        Assert.Contains("normalisation", ex.Message, StringComparison.Ordinal);
    }
}
