using System.Text.Json;

namespace Pcn.Client.Output;

/// <summary>One row of a sweep's table, read back from a point's results file.</summary>
public sealed record SweepRow(
    string RunId, int Depth, int Width, string Parameterisation, string Algorithm, string Activation, double LearningRate, double InferenceRate,
    int Steps, ulong Seed, string State, double? FinalAccuracy, double? BestAccuracy, double? FinalTrainLoss, double Seconds, int Batches,
    IReadOnlyList<(int Batch, double Accuracy)> AccuracyCurve, string? Failure)
{
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
            batches.Length > 0 && batches[^1].GetProperty("trainLoss").ValueKind == JsonValueKind.Number ? batches[^1].GetProperty("trainLoss").GetDouble() : null,
            root.GetProperty("timings").GetProperty("elapsedSeconds").GetDouble(),
            root.GetProperty("timings").GetProperty("batches").GetInt32(),
            curve,
            root.GetProperty("failure").ValueKind == JsonValueKind.String ? root.GetProperty("failure").GetString() : null);
    }
}
