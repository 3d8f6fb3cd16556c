using System.Text.Json;

namespace Pcn.Client.Output;

/// <summary>
/// One row of a sweep's table, read back from a point's results file. <see cref="FinalTrainLoss"/> is the mean train
/// loss over the last <see cref="LossWindow"/> batches (fewer when the run had fewer): one batch of 64 is too noisy to
/// rank the points of an η×β grid by. <see cref="LossCurve"/> holds the same window mean at each test evaluation.
/// </summary>
public sealed record SweepRow(
    string RunId, int Depth, int Width, string Parameterisation, string Algorithm, string Activation, double LearningRate, double InferenceRate,
    int Steps, ulong Seed, string State, double? FinalAccuracy, double? BestAccuracy, double? FinalTrainLoss, double Seconds, int Batches,
    IReadOnlyList<(int Batch, double Accuracy)> AccuracyCurve, IReadOnlyList<(int Batch, double Loss)> LossCurve, string? Failure)
{
    /// <summary>How many of the last batches <see cref="FinalTrainLoss"/> averages.</summary>
    public const int LossWindow = 50;

    /// <summary>States after which a point is not run again.</summary>
    public bool IsFinished => State is "completed" or "diverged" or "failed";

    /// <summary>Reads a results file written by <see cref="RunResults"/>.</summary>
    public static SweepRow FromResults(string path)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = document.RootElement;
        JsonElement network = root.GetProperty("configuration").GetProperty("network");
        JsonElement training = root.GetProperty("configuration").GetProperty("training");
        (int Batch, double Accuracy)[] curve = root.GetProperty("accuracy").EnumerateArray()
            .Select(a => (a.GetProperty("batch").GetInt32(), a.GetProperty("accuracy").GetDouble())).ToArray();
        JsonElement[] batches = root.GetProperty("batches").EnumerateArray().ToArray();
        int depth = network.GetProperty("depth").GetInt32();
        return new SweepRow(
            root.GetProperty("runId").GetString()!,
            depth,
            network.GetProperty("width").GetInt32(),
            network.GetProperty("parameterisation").GetString()!,
            training.GetProperty("algorithm").GetString()!,
            network.GetProperty("activation").GetString()!,
            training.GetProperty("learningRate").GetDouble(),
            training.GetProperty("inferenceRate").GetDouble(),
            training.GetProperty("inferenceSteps").ValueKind == JsonValueKind.Number ? training.GetProperty("inferenceSteps").GetInt32() : depth,
            network.GetProperty("seed").GetUInt64(),
            root.GetProperty("state").GetString()!,
            curve.Length > 0 ? curve[^1].Accuracy : null,
            curve.Length > 0 ? curve.Max(c => c.Accuracy) : null,
            batches.Length == 0 ? null : WindowMean(batches, batches.Length),
            root.GetProperty("timings").GetProperty("elapsedSeconds").GetDouble(),
            root.GetProperty("timings").GetProperty("batches").GetInt32(),
            curve,
            LossAt(batches, curve),
            root.GetProperty("failure").ValueKind == JsonValueKind.String ? root.GetProperty("failure").GetString() : null);
    }

    /// <summary>The window mean of the train loss at each evaluated batch (where it is finite).</summary>
    private static (int Batch, double Loss)[] LossAt(JsonElement[] batches, (int Batch, double Accuracy)[] curve)
    {
        int[] numbers = batches.Select(b => b.GetProperty("batch").GetInt32()).ToArray();
        var points = new List<(int, double)>();
        foreach ((int batch, _) in curve)
        {
            int end = Array.IndexOf(numbers, batch) + 1;
            if (end > 0 && WindowMean(batches, end) is double loss)
            {
                points.Add((batch, loss));
            }
        }

        return [.. points];
    }

    /// <summary>
    /// The mean train loss of the <see cref="LossWindow"/> batches ending before index <paramref name="end"/>; null
    /// when one of them is not finite.
    /// </summary>
    private static double? WindowMean(JsonElement[] batches, int end)
    {
        double sum = 0;
        JsonElement[] window = batches[Math.Max(0, end - LossWindow)..end];
        foreach (JsonElement batch in window)
        {
            JsonElement loss = batch.GetProperty("trainLoss");
            if (loss.ValueKind != JsonValueKind.Number || !double.IsFinite(loss.GetDouble()))
            {
                return null;
            }

            sum += loss.GetDouble();
        }

        return sum / window.Length;
    }
}
