using System.Globalization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;
using Pcn.Client.Output;
using Pcn.GpuKernels.Data;

namespace Pcn.Client.Commands;

/// <summary>Everything `pcn train` was asked for, parsed and validated before any silo work starts.</summary>
public sealed record TrainSettings(RunRequest Request, string? Cluster, string RunsDirectory, bool Quiet, int MetricsPort, string Backend)
{
    /// <summary>The flags of `pcn train` that take no value.</summary>
    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal) { "--no-skips", "--quiet" };

    /// <summary>Defaults: µPC, ReLU, MSE, H = 8, N = 128, B = 64, η = 0.1, β = 0.5, T = H, 1 epoch, Fashion-MNIST.</summary>
    public static TrainSettings Parse(ArgumentReader args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string dataset = args.Text("--dataset", "fashion-mnist");
        string? dataDir = args.OptionalString("--data-dir");
        DataSource data = dataset switch
        {
            "fashion-mnist" => DataSource.FashionMnist(dataDir),
            "mnist" => DataSource.Mnist(dataDir ?? throw new InvalidOptionException("--data-dir", "(missing)", "MNIST has no default directory: give the directory with its four IDX files")),
            _ => throw new InvalidOptionException("--dataset", $"'{dataset}'", "allowed values are fashion-mnist, mnist"),
        };
        data = data with { LimitTrain = args.OptionalInt("--limit-train"), LimitTest = args.OptionalInt("--limit-test") };
        if (data.LimitTrain is < 1 || data.LimitTest is < 1)
        {
            throw new InvalidOptionException(data.LimitTrain is < 1 ? "--limit-train" : "--limit-test", "(< 1)", "must be an integer ≥ 1");
        }

        Algorithm algorithm = OptionNames.ParseAlgorithm(args.Text("--algorithm", "pc"));
        var network = new NetworkOptions(
            Depth: args.Count("--depth", 8),
            Width: args.Count("--width", 128),
            InputDim: 784,
            OutputDim: 10,
            Activation: OptionNames.ParseActivation(args.Text("--activation", "relu")),
            Parameterisation: OptionNames.ParseParameterisation(args.Text("--param", algorithm == Algorithm.Bp ? "depth_mup" : "mupc")),
            Loss: OptionNames.ParseLoss(args.Text("--loss", "mse")),
            Skips: !args.Flag("--no-skips"),
            Seed: args.Seed("--seed", 0));
        var training = new TrainingOptions(
            Algorithm: algorithm,
            LearningRate: args.Number("--lr", algorithm == Algorithm.Bp ? 0.01 : 0.1),
            InferenceRate: args.Number("--beta", 0.5),
            InferenceSteps: args.OptionalInt("--steps"),
            BatchSize: args.Count("--batch-size", 64),
            Epochs: args.Count("--epochs", 1),
            TestEvery: args.Count("--test-every", 300),
            BatchLimit: args.OptionalInt("--batch-limit"),
            ShuffleSeed: args.Seed("--seed", 0),
            EarlyStopAccuracy: args.Number("--early-stop", 15),
            CheckpointEvery: args.Text("--checkpoint-every", "auto") is "auto" ? null : args.Count("--checkpoint-every", 0));
        network.Validate();
        training.Validate();
        string runId = args.Text("--run-id", $"run-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..4]}");
        RunIds.Validate(runId);

        string? cluster = args.OptionalString("--cluster");
        if (cluster is not null)
        {
            ClusterAddress.Parse(cluster);
        }

        int metricsPort = args.Count("--metrics-port", 0);
        if (metricsPort is < 0 or > 65535)
        {
            throw new InvalidOptionException("--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "must be a port in [0, 65535] (0 picks a free one)");
        }

        if (cluster is not null && metricsPort != 0)
        {
            throw new InvalidOptionException("--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "applies to the embedded silo only; a cluster's silos serve /metrics on their own --http-port");
        }

        string? backend = args.OptionalString("--backend");
        if (backend is not (null or "cpu" or "cuda"))
        {
            throw new InvalidOptionException("--backend", backend, "allowed values are cpu, cuda");
        }

        if (cluster is not null && backend is not null)
        {
            throw new InvalidOptionException("--backend", backend, "applies to the embedded silo only; a cluster's silos choose theirs (pcn-silo --backend)");
        }

        string? initFrom = args.OptionalString("--init-from");
        if (initFrom is not null)
        {
            initFrom = Path.GetFullPath(initFrom);
            ExportedNetwork.Check(initFrom, network);
        }

        var settings = new TrainSettings(new RunRequest(runId, network, training, data, initFrom), cluster, args.Text("--runs-dir", "runs"), args.Flag("--quiet"), metricsPort, backend ?? "cpu");
        args.RejectUnknown("train");
        if (cluster is null)
        {
            // The embedded silo reads the data from this machine: a missing file is reported before a silo starts.
            // (A cluster's silos read it from their own disks and report it when the run starts.)
            Dataset.RequireFiles(data.Directory);
        }

        return settings;
    }
}
