using Pcn.Data;

namespace Pcn.Data.Tests;

public sealed class LabelledSetTests
{
    [Fact]
    public void Classes_DefaultsToTen_WhenLabelsAreSmall()
    {
        var set = new LabelledSet(new float[6], [0, 3, 1], features: 2);

        Assert.Equal(3, set.Count);
        Assert.Equal(2, set.Features);
        Assert.Equal(10, set.Classes);
    }

    [Fact]
    public void Classes_IsLargestLabelPlusOne_WhenAboveTen()
    {
        Assert.Equal(16, new LabelledSet(new float[2], [15, 0], features: 1).Classes);
    }

    [Fact]
    public void Classes_IsTheGivenCount_WhenExplicit()
    {
        Assert.Equal(4, new LabelledSet(new float[2], [3, 0], features: 1, classes: 4).Classes);
    }

    [Fact]
    public void Constructor_Throws_WhenALabelIsNotBelowTheClassCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LabelledSet(new float[2], [4, 0], features: 1, classes: 4));

        Assert.Contains("largest label is 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Throws_WhenImageLengthDisagreesWithLabels()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LabelledSet(new float[5], [1, 2], features: 3));

        Assert.Contains("2 labels × 3 features = 6 values", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Image_ReturnsTheSamplesRow()
    {
        var set = new LabelledSet([0f, 1f, 2f, 3f, 4f, 5f], [0, 1, 2], features: 2);

        Assert.Equal([4f, 5f], set.Image(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Image(3));
    }
}
