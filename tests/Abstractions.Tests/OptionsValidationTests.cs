using Pcn.Abstractions.Options;

namespace Pcn.Abstractions.Tests;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData(0, 128, "--depth")]
    [InlineData(-3, 128, "--depth")]
    [InlineData(8, 0, "--width")]
    [InlineData(8, -1, "--width")]
    public void Network_RefusesNonPositiveSizes_NamingOptionAndRange(int depth, int width, string option)
    {
        var error = Assert.Throws<InvalidOptionException>(() => new NetworkOptions(depth, width).Validate());
        Assert.Equal(option, error.Option);
        Assert.Contains(option, error.Message);
        Assert.Contains("[1, ", error.Message);
    }

    [Theory]
    [InlineData(double.NaN, 0.5, "--lr")]
    [InlineData(double.PositiveInfinity, 0.5, "--lr")]
    [InlineData(-0.1, 0.5, "--lr")]
    [InlineData(0.0, 0.5, "--lr")]
    [InlineData(0.1, double.NaN, "--beta")]
    [InlineData(0.1, -1.0, "--beta")]
    [InlineData(0.1, double.NegativeInfinity, "--beta")]
    public void Training_RefusesNonFiniteOrNonPositiveRates(double lr, double beta, string option)
    {
        var error = Assert.Throws<InvalidOptionException>(() => new TrainingOptions(LearningRate: lr, InferenceRate: beta).Validate());
        Assert.Equal(option, error.Option);
        Assert.Contains("finite number > 0", error.Message);
    }

    [Fact]
    public void Training_RefusesBadCounts()
    {
        Assert.Equal("--batch-size", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(BatchSize: 0).Validate()).Option);
        Assert.Equal("--epochs", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(Epochs: 0).Validate()).Option);
        Assert.Equal("--steps", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(InferenceSteps: -1).Validate()).Option);
        Assert.Equal("--test-every", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(TestEvery: 0).Validate()).Option);
        Assert.Equal("--adam-b1", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(AdamBeta1: 1.0).Validate()).Option);
        Assert.Equal("--early-stop", Assert.Throws<InvalidOptionException>(() => new TrainingOptions(EarlyStopAccuracy: 101).Validate()).Option);
    }

    [Fact]
    public void ActivationNames_RefuseUnknown_ListingAllowed()
    {
        var error = Assert.Throws<InvalidOptionException>(() => OptionNames.ParseActivation("sigmoidal"));
        Assert.Equal("--activation", error.Option);
        Assert.Contains("'sigmoidal'", error.Message);
        Assert.Contains("relu", error.Message);
        Assert.Contains("leaky_relu", error.Message);
    }

    [Theory]
    [InlineData("relu", Activation.Relu)]
    [InlineData("Leaky-ReLU", Activation.LeakyRelu)]
    [InlineData("gelu", Activation.Gelu)]
    [InlineData("tanh", Activation.Tanh)]
    [InlineData("linear", Activation.Linear)]
    public void ActivationNames_ParseReferenceSpellings(string text, Activation expected)
    {
        Assert.Equal(expected, OptionNames.ParseActivation(text));
        Assert.Equal(expected, OptionNames.ParseActivation(OptionNames.Name(expected)));
    }

    [Fact]
    public void EnumOptions_RefuseUndefinedValues()
    {
        Assert.Equal("--activation", Assert.Throws<InvalidOptionException>(() => new NetworkOptions(2, 2, Activation: (Activation)99).Validate()).Option);
        Assert.Equal("--param", Assert.Throws<InvalidOptionException>(() => OptionNames.ParseParameterisation("ntk")).Option);
        Assert.Equal("--loss", Assert.Throws<InvalidOptionException>(() => OptionNames.ParseLoss("hinge")).Option);
        Assert.Equal("--algorithm", Assert.Throws<InvalidOptionException>(() => OptionNames.ParseAlgorithm("ep")).Option);
    }

    [Fact]
    public void Defaults_AreThePapersMuPcSettings()
    {
        var training = new TrainingOptions().Validate();
        var network = new NetworkOptions(8, 128).Validate();
        Assert.Equal(0.1, training.LearningRate);
        Assert.Equal(0.5, training.InferenceRate);
        Assert.Equal(64, training.BatchSize);
        Assert.Equal(8, training.StepsFor(network));
        Assert.Equal(9, network.LayerCount);
    }
}
