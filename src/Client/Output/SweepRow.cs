using System.Text.Json;

namespace Pcn.Client.Output;

/// <summary>
/// One row of a sweep's table, read back from a point's results file. <see cref="FinalTrainLoss"/> is the mean train
/// loss over the last <see cref="LossWindow"/> batches (fewer when the run had fewer): one batch of 64 is too noisy to
/// rank the points of an η×β grid by.
/// </summary>
public sealed record SweepRow(
    string RunId, int Depth, int Width, string Parameterisation, string Algorithm, string Activation, double LearningRate, double InferenceRate,
    int Steps, ulong Seed, string State, double? FinalAccuracy, double? BestAccuracy, double? FinalTrainLoss, double Seconds, int Batches,
    IReadOnlyList<(int Batch, double Accuracy)> AccuracyCurve, string? Failure)
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
            TailMean(batches),
            root.GetProperty("timings").GetProperty("elapsedSeconds").GetDouble(),
            root.GetProperty("timings").GetProperty("batches").GetInt32(),
            curve,
            root.GetProperty("failure").ValueKind == JsonValueKind.String ? root.GetProperty("failure").GetString() : null);
    }

    /// <summary>The mean train loss of the last <see cref="LossWindow"/> batches; null when there are none or one is not finite.</summary>
    private static double? TailMean(JsonElement[] batches)
    {
        if (batches.Length == 0)
        {
            return null;
        }

        double sum = 0;
        JsonElement[] tail = batches[Math.Max(0, batches.Length - LossWindow)..];
        foreach (JsonElement batch in tail)
        {
            JsonElement loss = batch.GetProperty("trainLoss");
            if (loss.ValueKind != JsonValueKind.Number || !double.IsFinite(loss.GetDouble()))
            {
                return null;
            }

            sum += loss.GetDouble();
        }

        return sum / tail.Length;
    }
}
