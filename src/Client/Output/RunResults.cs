using System.Text.Json;
using System.Text.Json.Serialization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;

namespace Pcn.Client.Output;

/// <summary>
/// The results file of a run, <c>{runs}/{run-id}/results.json</c>: configuration, state, accuracy over time,
/// per-layer energies and train loss per batch, each layer's learning signal at every evaluation, timings and where the layers ran. Written atomically (a temporary
/// file renamed over the old one), so an interrupted write never leaves a broken file.
/// </summary>
public static class RunResults
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters =
        {
            new OptionNameConverter<Activation>(OptionNames.Name, t => OptionNames.ParseActivation(t)),
            new OptionNameConverter<Parameterisation>(OptionNames.Name, t => OptionNames.ParseParameterisation(t)),
            new OptionNameConverter<LossKind>(OptionNames.Name, t => OptionNames.ParseLoss(t)),
            new OptionNameConverter<Algorithm>(OptionNames.Name, t => OptionNames.ParseAlgorithm(t)),
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower),
        },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the file and returns its path.</summary>
    /// <param name="runsDirectory">Where run directories go.</param>
    /// <param name="snapshot">The run's latest state.</param>
    /// <param name="summaries">Every batch summary so far.</param>
    /// <param name="placement">Each layer's silo.</param>
    /// <param name="connection">How the client reached the cluster.</param>
    /// <param name="startup">What `pcn train` spent before the first batch (null for runs of a sweep).</param>
    public static string Write(string runsDirectory, RunSnapshot snapshot, IReadOnlyList<BatchSummary> summaries, IReadOnlyList<string> placement, string connection, StartupTimings? startup = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(summaries);
        string directory = Path.Combine(runsDirectory, snapshot.Request.RunId);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "results.json");
        int samples = summaries.Count * snapshot.Request.Training.BatchSize;
        var document = new
        {
            runId = snapshot.Request.RunId,
            state = snapshot.State,
            failure = snapshot.Failure,
            configuration = new { network = snapshot.Request.Network, training = snapshot.Request.Training, data = snapshot.Request.Data },
            timings = new
            {
                elapsedSeconds = snapshot.ElapsedSeconds,
                trainingSeconds = snapshot.Timings.TrainingSeconds,
                evaluationSeconds = snapshot.Timings.EvaluationSeconds,
                runSetupSeconds = snapshot.Timings.SetupSeconds,
                startup = startup is null ? null : new { totalSeconds = startup.TotalSeconds, runtimeSeconds = startup.RuntimeSeconds, clusterSeconds = startup.ClusterSeconds, runSetupSeconds = startup.RunSetupSeconds },
                batches = snapshot.Batches,
                totalBatches = snapshot.TotalBatches,
                samplesPerSecond = snapshot.Timings.TrainingSeconds > 0 ? samples / snapshot.Timings.TrainingSeconds : 0,
            },
            finalTestAccuracy = summaries.LastOrDefault(s => s.TestAccuracy is not null)?.TestAccuracy,
            accuracy = summaries.Where(s => s.TestAccuracy is not null).Select(s => new { batch = s.Batch, elapsedSeconds = s.ElapsedSeconds, accuracy = s.TestAccuracy }),
            batches = summaries.Select(s => new { batch = s.Batch, epoch = s.Epoch, trainLoss = s.TrainLoss, layerEnergies = s.LayerEnergies, elapsedSeconds = s.ElapsedSeconds }),
            learning = summaries.Where(s => s.Learning is not null).Select(s => new
            {
                batch = s.Batch,
                relativeChange = s.Learning!.Select(l => l.RelativeChange),
                updatedBatches = s.Learning!.Select(l => l.UpdatedBatches),
                summary = LearningSummary.Describe(s.Learning!),
            }),
            placement = placement.Select((silo, i) => new { layer = i + 1, silo }),
            coordinatorSilo = snapshot.CoordinatorSilo,
            checkpointBatch = snapshot.CheckpointBatch,
            events = snapshot.Events.Select(e => new { time = e.Time, batch = e.Batch, kind = e.Kind, message = e.Message }),
            connection,
            writtenAt = DateTimeOffset.UtcNow,
        };
        Pcn.Network.Checkpoints.DurableFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(document, Json));
        return path;
    }
}
