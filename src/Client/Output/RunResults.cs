using System.Text.Json;
using System.Text.Json.Serialization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;

namespace Pcn.Client.Output;

/// <summary>
/// The results file of a run, <c>{runs}/{run-id}/results.json</c>: configuration, state, accuracy over time,
/// per-layer energies and train loss per batch, timings and where the layers ran. Written atomically (a temporary
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
    public static string Write(string runsDirectory, RunSnapshot snapshot, IReadOnlyList<BatchSummary> summaries, IReadOnlyList<string> placement, string connection)
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
                batches = snapshot.Batches,
                totalBatches = snapshot.TotalBatches,
                samplesPerSecond = snapshot.ElapsedSeconds > 0 ? samples / snapshot.ElapsedSeconds : 0,
            },
            finalTestAccuracy = summaries.LastOrDefault(s => s.TestAccuracy is not null)?.TestAccuracy,
            accuracy = summaries.Where(s => s.TestAccuracy is not null).Select(s => new { batch = s.Batch, elapsedSeconds = s.ElapsedSeconds, accuracy = s.TestAccuracy }),
            batches = summaries.Select(s => new { batch = s.Batch, epoch = s.Epoch, trainLoss = s.TrainLoss, layerEnergies = s.LayerEnergies, elapsedSeconds = s.ElapsedSeconds }),
            placement = placement.Select((silo, i) => new { layer = i + 1, silo }),
            connection,
            writtenAt = DateTimeOffset.UtcNow,
        };
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Json));
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
