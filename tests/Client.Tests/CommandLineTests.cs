using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Commands;
using Pcn.GpuKernels.Backends.Ilgpu;

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
    [InlineData("--backend", "gpu", "cpu, cuda")]
    [InlineData("--train-layers", "top:0", "all or top:K")]
    [InlineData("--train-layers", "3", "all or top:K")]
    [InlineData("--train-layers", "top:10", "9 weight layers")]
    public void Train_RefusesBadOptions_NamingOptionAndAllowedRange(string option, string value, string allowed)
    {
        var error = Assert.Throws<InvalidOptionException>(() => ParseTrain(option, value));

        Assert.Equal(option, error.Option);
        Assert.Contains(option, error.Message);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void Train_Defaults_AreThePapersMuPcSettingsOnFashionMnist()
    {
        TrainSettings settings = ParseTrain();

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
        TrainSettings settings = ParseTrain("--algorithm", "bp", "--no-skips", "--seed=7");

        Assert.Equal(Parameterisation.DepthMuP, settings.Request.Network.Parameterisation);
        Assert.Equal(0.01, settings.Request.Training.LearningRate);
        Assert.False(settings.Request.Network.Skips);
        Assert.Equal(7UL, settings.Request.Network.Seed);
    }

    [Fact]
    public void Train_RefusesABackendForACluster_WhoseSilosChooseTheirOwn()
    {
        var error = Assert.Throws<InvalidOptionException>(() => ParseTrain("--cluster", "127.0.0.1:30000", "--backend", "cuda"));

        Assert.Equal("--backend", error.Option);
        Assert.Contains("pcn-silo --backend", error.Message);
    }

    [Fact]
    public void Train_EmbeddedBackend_DefaultsToCpu()
    {
        Assert.Equal("cpu", ParseTrain().Backend);
    }

    [SkippableFact]
    public async Task Process_CudaBackend_RefusedWithoutADevice()
    {
        SkipUnlessNothingNvidia("Process_CudaBackend_TrainsOnTheDevice");
        string runs = Directory.CreateTempSubdirectory("pcn-runs").FullName;

        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, CudaTrainArgs(runs), TimeSpan.FromSeconds(120));

        Assert.Equal(2, code);
        Assert.Contains("--backend", error);
        Assert.Contains("no CUDA device", error);
        Assert.Empty(Directory.GetFileSystemEntries(runs));
    }

    [SkippableFact]
    public async Task Process_CudaBackend_TrainsOnTheDevice()
    {
        Skip.If(CudaProbe.Probe().Status == CudaStatus.Absent, "no NVIDIA GPU or driver on this machine");
        CudaProbe.RequirePresent();
        string runs = Directory.CreateTempSubdirectory("pcn-runs").FullName;

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, CudaTrainArgs(runs), TimeSpan.FromSeconds(120));

        Assert.True(code == 0, error);
        Assert.Contains("(cuda)", output);
        Assert.True(File.Exists(Path.Combine(runs, "cuda", "results.json")));
    }

    [SkippableFact]
    public async Task Silo_CudaBackend_RefusedWithoutADevice_BeforeListening()
    {
        SkipUnlessNothingNvidia("Process_CudaBackend_TrainsOnTheDevice");

        (int code, _, string error) = await Processes.RunAsync(Processes.Silo, ["--backend", "cuda", "--silo-port", Processes.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60));

        Assert.Equal(2, code);
        Assert.Contains("--backend", error);
        Assert.Contains("no CUDA device", error);
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
        Assert.Contains($"Could not reach the Pcn cluster at 127.0.0.1:{port}: no gateway accepts connections", error);
    }

    [Fact]
    public async Task Process_ReportsAMissingDataDirectory_NamingIt()
    {
        string missing = Path.Combine(Path.GetTempPath(), "pcn-no-such-data-" + Guid.NewGuid().ToString("N"));

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["train", "--data-dir", missing, "--runs-dir", Path.GetTempPath()], TimeSpan.FromSeconds(90));

        Assert.Equal(1, code);
        Assert.Contains($"Dataset directory not found: {missing}", error);
        Assert.DoesNotContain("embedded silo", output);
    }

    [Fact]
    public async Task Sweep_ReportsAMissingDataFile_BeforeStartingASiloOrWritingAnything()
    {
        string data = Directory.CreateTempSubdirectory("pcn-partial-data").FullName;
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), []);
        string sweep = Path.Combine(Path.GetTempPath(), "pcn-sweep-" + Guid.NewGuid().ToString("N"));

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["sweep", "--data-dir", data, "--sweep-dir", sweep, "--lr", "0.1,0.05"], TimeSpan.FromSeconds(90));

        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(data, "train-labels-idx1-ubyte"), error);
        Assert.DoesNotContain("embedded silo", output);
        Assert.False(Directory.Exists(sweep));
    }

    /// <summary>`pcn train`'s settings from <paramref name="args"/>, parsed as the process parses them.</summary>
    private static TrainSettings ParseTrain(params string[] args) =>
        TrainSettings.Parse(PcnCommandLine.Parse(PcnCommandLine.Create(new Output.StartupTimings.Clock()), ["train", .. args]));

    private static string[] CudaTrainArgs(string runs) =>
        ["train", "--backend", "cuda", "--depth", "2", "--width", "16", "--limit-train", "256", "--limit-test", "128", "--runs-dir", runs, "--run-id", "cuda", "--quiet"];

    /// <summary>
    /// The refusals are checked only where nothing NVIDIA is installed: a machine with a driver or a device trains on
    /// it instead (and fails there if the device does not work), which <paramref name="instead"/> checks.
    /// </summary>
    private static void SkipUnlessNothingNvidia(string instead)
    {
        CudaProbeResult probe = CudaProbe.Probe();
        Skip.IfNot(probe.Status == CudaStatus.Absent, $"this machine has NVIDIA's driver or a device ({probe}): {instead} runs instead");
    }
}
