using System.CommandLine;
using Pcn.Abstractions.Messages;
using Pcn.Client.CommandLine;

namespace Pcn.Client.Commands;

/// <summary>
/// The options of `pcn train`, with the paper's µPC settings on Fashion-MNIST as defaults. `pcn sweep` takes them too,
/// with comma-separated lists in place of the <see cref="Axes"/>.
/// </summary>
internal static class TrainOptions
{
    public static readonly Option<string> Dataset = PcnOption.Text("--dataset", "the data set: fashion-mnist or mnist", "fashion-mnist");

    public static readonly Option<string?> DataDirectory = PcnOption.OptionalText("--data-dir", $"the directory with the four IDX files (default: {DataSource.FashionMnistDirectory} for fashion-mnist; mnist needs one)");

    public static readonly Option<int?> LimitTrain = PcnOption.OptionalInteger("--limit-train", "keep only the first N training samples");

    public static readonly Option<int?> LimitTest = PcnOption.OptionalInteger("--limit-test", "keep only the first N test samples");

    public static readonly Option<int> Depth = PcnOption.Integer("--depth", "hidden layers H", 8);

    public static readonly Option<int> Width = PcnOption.Integer("--width", "width N of every hidden layer", 128);

    public static readonly Option<string> Activation = PcnOption.Text("--activation", "relu, tanh, linear, leaky_relu, gelu, hard_tanh, selu or silu", "relu");

    public static readonly Option<string?> Parameterisation = PcnOption.OptionalText("--param", "mupc, sp or depth_mup (default: mupc; depth_mup for --algorithm bp)");

    public static readonly Option<string> Loss = PcnOption.Text("--loss", "mse or ce (cross-entropy)", "mse");

    public static readonly Option<bool> NoSkips = PcnOption.Flag("--no-skips", "no residual connections");

    public static readonly Option<string> Algorithm = PcnOption.Text("--algorithm", "pc (predictive coding) or bp (backprop with Depth-µP)", "pc");

    public static readonly Option<double?> LearningRate = PcnOption.OptionalNumber("--lr", "learning rate η (default: 0.1; 0.01 for --algorithm bp)");

    public static readonly Option<double> Beta = PcnOption.Number("--beta", "inference rate β", 0.5);

    public static readonly Option<int?> Steps = PcnOption.OptionalInteger("--steps", "inference steps T (default: H)");

    public static readonly Option<int> BatchSize = PcnOption.Integer("--batch-size", "samples per batch B", 64);

    public static readonly Option<int> Epochs = PcnOption.Integer("--epochs", "passes over the training set", 1);

    public static readonly Option<ulong> Seed = PcnOption.Seed("--seed", "seed of the initial weights and the shuffle", 0);

    public static readonly Option<int> TestEvery = PcnOption.Integer("--test-every", "test accuracy after every K batches", 300);

    public static readonly Option<int?> BatchLimit = PcnOption.OptionalInteger("--batch-limit", "stop after N batches");

    public static readonly Option<double> EarlyStop = PcnOption.Number("--early-stop", "stop as failed when test accuracy < A% at an evaluation, or the loss is not finite (0: off)", 15);

    public static readonly Option<string> CheckpointEvery = PcnOption.Text("--checkpoint-every", "auto (paced by time: at most 2.5% of training time, at least 30 s apart), every K batches, or 0: only at the end", "auto");

    public static readonly Option<string> TrainLayers = PcnOption.Text("--train-layers", "all, or top:K to train only the top K weight matrices (the layers below keep their initial weights bit for bit; for ablations)", "all");

    public static readonly Option<string?> RunId = PcnOption.OptionalText("--run-id", "the run's id (default: run-{time}-{random})");

    public static readonly Option<string?> Backend = PcnOption.OptionalText("--backend", "the embedded silo's compute: cpu or cuda (an NVIDIA GPU) (default: cpu; a cluster's silos choose with pcn-silo --backend)");

    public static readonly Option<string?> InitFrom = PcnOption.OptionalText("--init-from", "start from weights written by `pcn export`");

    public static readonly Option<string?> Resume = PcnOption.OptionalText("--resume", "continue the cancelled, failed or interrupted run ID from its last checkpoint (with --cluster, --runs-dir, --metrics-port, --backend, --quiet only)");

    /// <summary>The axes `pcn sweep` varies, each as a list.</summary>
    public static readonly IReadOnlyList<Option> Axes = [Depth, Width, Parameterisation, Algorithm, Activation, LearningRate, Beta, Seed];

    /// <summary>The options that place a run and name its results: each point of a sweep has them from the sweep.</summary>
    public static readonly IReadOnlyList<Option> Placement = [RunId, CommonOptions.RunsDirectory, CommonOptions.MetricsPort];

    /// <summary>Every option of `pcn train`, in the order help lists them.</summary>
    public static readonly IReadOnlyList<Option> All =
    [
        Dataset, DataDirectory, LimitTrain, LimitTest, Depth, Width, Activation, Parameterisation, Loss, NoSkips, Algorithm,
        LearningRate, Beta, Steps, BatchSize, Epochs, Seed, TestEvery, BatchLimit, EarlyStop, CheckpointEvery, TrainLayers, RunId,
        CommonOptions.RunsDirectory, CommonOptions.Cluster, CommonOptions.MetricsPort, Backend, InitFrom, CommonOptions.Quiet, Resume,
    ];

    /// <summary>What `pcn train --resume` may be given besides the run: where it runs and how it is shown.</summary>
    public static readonly IReadOnlyList<Option> ResumeOptions = [Resume, CommonOptions.Cluster, CommonOptions.RunsDirectory, CommonOptions.MetricsPort, Backend, CommonOptions.Quiet];
}
