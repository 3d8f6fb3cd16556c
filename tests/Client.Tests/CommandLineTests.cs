using Pcn.Abstractions.Options;
using Pcn.Client.Commands;
using Pcn.Client.CommandLine;

namespace Pcn.Client.Tests;

/// <summary>`pcn` options: every fault names the option and what is allowed, before any silo work.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--depth", "0", "[1, 65536]")]
    [InlineData("--width", "-4", "[1, 65536]")]
    [InlineData("--lr", "nan", "finite number > 0")]
    [InlineData("--lr", "-0.1", "finite number > 0")]
    [InlineData("--beta", "abc", "must be a number")]
    [InlineData("--activation", "sigmoidal", "relu")]
    [InlineData("--param", "ntk", "mupc")]
    [InlineData("--algorithm", "ep", "pc, bp")]
    [InlineData("--batch-size", "0", "[1, ")]
    [InlineData("--dataset", "cifar", "fashion-mnist, mnist")]
    [InlineData("--cluster", "nowhere", "host:port")]
    [InlineData("--run-id", "../etc", "letters, digits")]
    [InlineData("--frobnicate", "1", "not an option")]
    [InlineData("--metrics-port", "70000", "[0, 65535]")]
    public void Train_RefusesBadOptions_NamingOptionAndAllowedRange(string option, string value, string allowed)
    {
        var error = Assert.Throws<InvalidOptionException>(() => TrainSettings.Parse(new ArgumentReader([option, value], TrainSettings.Flags)));

        Assert.Equal(option, error.Option);
        Assert.Contains(option, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void Train_Defaults_AreThePapersMuPcSettingsOnFashionMnist()
    {
        TrainSettings settings = TrainSettings.Parse(new ArgumentReader([], TrainSettings.Flags));

        Assert.Equal(8, settings.Request.Network.Depth);
        Assert.Equal(Parameterisation.MuPc, settings.Request.Network.Parameterisation);
        Assert.Equal(0.1, settings.Request.Training.LearningRate);
        Assert.Equal(0.5, settings.Request.Training.InferenceRate);
        Assert.Equal(64, settings.Request.Training.BatchSize);
        Assert.Equal("/usr/share/datasets/fashion-mnist", settings.Request.Data.Directory);
        Assert.Null(settings.Cluster);
    }

    [Fact]
    public void Train_Bp_DefaultsToDepthMuPAndItsLearningRate()
    {
        TrainSettings settings = TrainSettings.Parse(new ArgumentReader(["--algorithm", "bp", "--no-skips", "--seed=7"], TrainSettings.Flags));

        Assert.Equal(Parameterisation.DepthMuP, settings.Request.Network.Parameterisation);
        Assert.Equal(0.01, settings.Request.Training.LearningRate);
        Assert.False(settings.Request.Network.Skips);
        Assert.Equal(7UL, settings.Request.Network.Seed);
    }

    [Fact]
    public async Task Process_ExitsWithCode2_OnInvalidOptions_BeforeStartingASilo()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-runs").FullName;

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["train", "--depth", "0", "--runs-dir", runs], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("--depth", error);
        Assert.Contains("[1, 65536]", error);
        Assert.DoesNotContain("embedded silo", output);
        Assert.Empty(Directory.GetFileSystemEntries(runs));
    }

    [Fact]
    public async Task Process_ReportsAnUnreachableCluster_Clearly()
    {
        int port = Processes.FreePort();

        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["status", "--cluster", $"127.0.0.1:{port}"], TimeSpan.FromSeconds(60));

        Assert.Equal(1, code);
        Assert.Contains($"Could not reach the Pcn cluster at 127.0.0.1:{port} within 15 s", error);
    }

    [Fact]
    public async Task Process_ReportsAMissingDataDirectory_NamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "pcn-no-such-data-" + Guid.NewGuid().ToString("N"));

        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["train", "--data-dir", missing, "--runs-dir", Path.GetTempPath()], TimeSpan.FromSeconds(90));

        Assert.Equal(1, code);
        Assert.Contains(missing, error);
    }
}
