using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;
using Pcn.Client.Output;
using Pcn.Data;

namespace Pcn.Client.Commands;

/// <summary>Everything `pcn train` was asked for, parsed and validated before any silo work starts.</summary>
public sealed record TrainSettings(RunRequest Request, string? Cluster, string RunsDirectory, bool Quiet, int MetricsPort, string Backend)
{
    /// <summary>
    /// Reads and checks the options of `pcn train` (defaults: µPC, ReLU, MSE, H = 8, N = 128, B = 64, η = 0.1, β = 0.5,
    /// T = H, 1 epoch, Fashion-MNIST); for `pcn sweep`, whose lists replace the axes, the axes keep their defaults.
    /// </summary>
    public static TrainSettings Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        T Value<T>(Option<T> option) => result.ValueOrDeclaredDefault(option);
        string dataset = Value(TrainOptions.Dataset);
        string? dataDir = Value(TrainOptions.DataDirectory);
        if (dataDir is { Length: 0 })
        {
            throw new InvalidOptionException("--data-dir", "''", "must name the directory with the four IDX files");
        }

        DataSource data = dataset switch
        {
            "fashion-mnist" => DataSource.FashionMnist(dataDir),
            "mnist" => DataSource.Mnist(dataDir ?? throw new InvalidOptionException("--data-dir", "(missing)", "MNIST has no default directory: give the directory with its four IDX files")),
            _ => throw new InvalidOptionException("--dataset", $"'{dataset}'", "allowed values are fashion-mnist, mnist"),
        };
        data = data with { LimitTrain = Value(TrainOptions.LimitTrain), LimitTest = Value(TrainOptions.LimitTest) };
        if (data.LimitTrain is < 1 || data.LimitTest is < 1)
        {
            throw new InvalidOptionException(data.LimitTrain is < 1 ? "--limit-train" : "--limit-test", (data.LimitTrain is < 1 ? data.LimitTrain : data.LimitTest)!.Value.ToString(CultureInfo.InvariantCulture), "must be an integer ≥ 1");
        }

        Algorithm algorithm = OptionNames.ParseAlgorithm(Value(TrainOptions.Algorithm));
        var network = new NetworkOptions(
            Depth: Value(TrainOptions.Depth),
            Width: Value(TrainOptions.Width),
            InputDim: 784,
            OutputDim: 10,
            Activation: OptionNames.ParseActivation(Value(TrainOptions.Activation)),
            Parameterisation: OptionNames.ParseParameterisation(Value(TrainOptions.Parameterisation) ?? (algorithm == Algorithm.Bp ? "depth_mup" : "mupc")),
            Loss: OptionNames.ParseLoss(Value(TrainOptions.Loss)),
            Skips: !Value(TrainOptions.NoSkips),
            Seed: Value(TrainOptions.Seed));
        var training = new TrainingOptions(
            Algorithm: algorithm,
            LearningRate: Value(TrainOptions.LearningRate) ?? (algorithm == Algorithm.Bp ? 0.01 : 0.1),
            InferenceRate: Value(TrainOptions.Beta),
            InferenceSteps: Value(TrainOptions.Steps),
            BatchSize: Value(TrainOptions.BatchSize),
            Epochs: Value(TrainOptions.Epochs),
            TestEvery: Value(TrainOptions.TestEvery),
            BatchLimit: Value(TrainOptions.BatchLimit),
            ShuffleSeed: Value(TrainOptions.Seed),
            EarlyStopAccuracy: Value(TrainOptions.EarlyStop),
            CheckpointEvery: CheckpointEvery(Value(TrainOptions.CheckpointEvery)),
            TrainTopLayers: TrainLayers(Value(TrainOptions.TrainLayers)));
        network.Validate();
        training.Validate().RequireFits(network);
        NetworkFootprint.RequireArraySizes(network, training.BatchSize);
        string runId = Value(TrainOptions.RunId) ?? $"run-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..4]}";
        RunIds.Validate(runId);

        string? cluster = CommonOptions.ReadCluster(result);
        int metricsPort = CommonOptions.ReadMetricsPort(result);

        if (cluster is not null && metricsPort != 0)
        {
            throw new InvalidOptionException("--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "applies to the embedded silo only; a cluster's silos serve /metrics on their own --http-port");
        }

        string? backend = Value(TrainOptions.Backend);
        if (backend is not (null or "cpu" or "cuda"))
        {
            throw new InvalidOptionException("--backend", backend, "allowed values are cpu, cuda");
        }

        if (cluster is not null && backend is not null)
        {
            throw new InvalidOptionException("--backend", backend, "applies to the embedded silo only; a cluster's silos choose theirs (pcn-silo --backend)");
        }

        string runsDirectory = CommonOptions.ReadRunsDirectory(result);

        string? initFrom = Value(TrainOptions.InitFrom);
        if (initFrom is not null)
        {
            initFrom = Path.GetFullPath(initFrom);
            ExportedNetwork.Check(initFrom, network);
        }

        var settings = new TrainSettings(new RunRequest(runId, network, training, data, initFrom), cluster, runsDirectory, Value(CommonOptions.Quiet), metricsPort, backend ?? "cpu");
        if (cluster is null)
        {
            // The embedded silo reads the data from this machine and trains in this process: a missing or unreadable
            // file, a bad label, or a network too large for its memory is reported before a silo starts. (A cluster's
            // silos read the data from their own disks and report it when the run starts.)
            RequireFitsData([settings.Request], atOnce: 1);
            RequireFreePort(metricsPort);
        }

        return settings;
    }

    /// <summary>--checkpoint-every: "auto" (paced by time, the default) or a number of batches (0: only at the end).</summary>
    private static int? CheckpointEvery(string value) => value == "auto"
        ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int every) && every >= 0
            ? every
            : throw new InvalidOptionException("--checkpoint-every", $"'{value}'", "must be auto (checkpoints paced by time) or a number of batches ≥ 0 (0: only at the end)");

    /// <summary>--train-layers: "all" (the default) or "top:K", the number of weight matrices at the top that train.</summary>
    private static int? TrainLayers(string value) => value == "all"
        ? null
        : value.StartsWith("top:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int top) && top >= 1
            ? top
            : throw new InvalidOptionException("--train-layers", $"'{value}'", "must be all or top:K with K ≥ 1 (the top K weight matrices train, the rest keep their initial weights)");

    /// <summary>
    /// Checks, before any work starts, that the results can be written: <see cref="RunsDirectory"/> can be created and
    /// written (a probe file is written and deleted), and the run's own directory is not a file.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or written (exit 1; the path and reason named).</exception>
    public void RequireWritableRunsDirectory()
    {
        OutputDirectory.RequireWritable(RunsDirectory, "--runs-dir");
        string runDirectory = Path.Combine(RunsDirectory, Request.RunId);
        if (File.Exists(runDirectory))
        {
            throw new IOException($"Cannot write the results of run {Request.RunId}: {runDirectory} is a file, not a directory");
        }
    }

    /// <summary>
    /// The one place where a new run refuses to overwrite the results of an earlier run with the same id (the embedded
    /// silo does not know about runs of earlier processes, so nothing else would notice). A run that continues an
    /// earlier one on purpose skips this check.
    /// </summary>
    /// <exception cref="InvalidOptionException">{runs-dir}/{run-id}/results.json exists (exit 2; the file named).</exception>
    public void RefuseExistingResults()
    {
        string results = Path.Combine(RunsDirectory, Request.RunId, "results.json");
        if (File.Exists(results))
        {
            throw new InvalidOptionException("--run-id", $"'{Request.RunId}'", $"{results} already exists from an earlier run; choose another --run-id (or --runs-dir), or move that file away");
        }
    }

    /// <summary>
    /// Checks the runs against the data of their (embedded) silo, which they share: the files open and the labels fit
    /// the network's classes, every batch fits the data, the batch count fits an int, and the <paramref name="atOnce"/>
    /// largest networks and the data set fit this machine's memory.
    /// </summary>
    internal static void RequireFitsData(IReadOnlyList<RunRequest> runs, int atOnce)
    {
        DataSource data = runs[0].Data;
        (int train, int test, int features) = Dataset.Inspect(data.Directory, runs[0].Network.OutputDim, data.LimitTrain, data.LimitTest);
        if (features != runs[0].Network.InputDim)
        {
            // The input width is fixed by the data sets pcn knows (28×28 images); other images are the data's fault.
            throw new IOException($"The images in {data.Directory} have {features} pixels each; pcn trains on 28×28 = {runs[0].Network.InputDim}-pixel images (MNIST, Fashion-MNIST)");
        }

        foreach (RunRequest run in runs)
        {
            TrainingOptions t = run.Training;
            if (t.BatchSize > Math.Min(train, test))
            {
                throw new InvalidOptionException("--batch-size", t.BatchSize.ToString(CultureInfo.InvariantCulture), $"must not exceed the {train} training or {test} test samples in {data.Directory} (after --limit-train/--limit-test)");
            }

            if (t.BatchLimit is null && (long)(train / t.BatchSize) * t.Epochs > int.MaxValue)
            {
                throw new InvalidOptionException("--epochs", t.Epochs.ToString(CultureInfo.InvariantCulture), $"{t.Epochs} epochs of {train / t.BatchSize} batches are more than {int.MaxValue} batches; use fewer epochs or a --batch-limit");
            }
        }

        RunRequest largest = runs.MaxBy(r => NetworkFootprint.NetworkBytes(r.Network, r.Training.BatchSize))!;
        long networks = runs.Select(r => NetworkFootprint.NetworkBytes(r.Network, r.Training.BatchSize)).OrderDescending().Take(atOnce).Sum();
        NetworkFootprint.RequireMemory(largest.Network, largest.Training.BatchSize, networks, NetworkFootprint.DataBytes((long)train + test, features), NetworkFootprint.AvailableBytes(), atOnce == 1 ? "the network and its data" : $"the {Math.Min(atOnce, runs.Count)} largest networks that run at once and their data");
    }

    /// <summary>An explicit --metrics-port must be free now, or the embedded silo would fail to start after the data loads.</summary>
    private static void RequireFreePort(int port)
    {
        if (port == 0)
        {
            return;
        }

        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new IOException($"--metrics-port {port} cannot be used on 127.0.0.1 ({e.Message}); choose another port, or 0 for a free one", e);
        }
    }
}
