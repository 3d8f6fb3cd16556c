using System.Globalization;
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
    /// <exception cref="FormatException">The file is not a complete results file (empty, truncated, not JSON, or a
    /// field missing or of the wrong kind); the message names the file.</exception>
    public static SweepRow FromResults(string path)
    {
        string text = File.ReadAllText(path);
        try
        {
            return Parse(text);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            string fault = text.Length == 0 ? "the file is empty" : e is JsonException ? $"not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')})" : $"a field is missing or malformed ({e.Message.TrimEnd('.')})";
            throw new FormatException($"{path} is not a complete results file: {fault}", e);
        }
    }

    private static SweepRow Parse(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
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

    /// <summary>
    /// Reads the rows of a sweep table written by <see cref="SweepTable"/> (columns found by name, so tables written
    /// before a column was added still read; a table whose loss column is the last batch's reads it as the final loss).
    /// </summary>
    /// <exception cref="FormatException">A line does not match the header or holds a malformed value (file and line named).</exception>
    public static IReadOnlyList<SweepRow> FromTable(string csvPath)
    {
        string[] lines = File.ReadAllLines(csvPath);
        if (lines.Length == 0)
        {
            throw new FormatException($"{csvPath} is empty; a sweep table starts with its header line");
        }

        string[] header = lines[0].Split(',');
        var rows = new List<SweepRow>();
        for (int number = 2; number <= lines.Length; number++)
        {
            string line = lines[number - 1];
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                rows.Add(ParseLine(header, line));
            }
            catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
            {
                throw new FormatException($"{csvPath}, line {number}: {e.Message}", e);
            }
        }

        return rows;
    }

    /// <summary>One data line of a sweep table, its columns found by the header's names.</summary>
    private static SweepRow ParseLine(string[] header, string line)
    {
        int Column(params string[] names) => names.Select(n => Array.IndexOf(header, n)).FirstOrDefault(i => i >= 0, -1);
        int loss = Column("train_loss_last50", "final_train_loss");
        int losses = Column("train_loss_curve");

        // Only the last column (the failure message) may hold commas, inside quotes.
        string[] cells = line.Split(',', header.Length);
        if (cells.Length != header.Length)
        {
            throw new FormatException($"'{line}' has {cells.Length} columns where the header has {header.Length}");
        }

        string Cell(string name) => Column(name) is int i and >= 0 ? cells[i] : throw new FormatException($"the table has no column '{name}'");
        double? Number(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        string failure = Cell("failure").Trim('"');
        return new SweepRow(
            Cell("run_id"), int.Parse(Cell("depth"), CultureInfo.InvariantCulture), int.Parse(Cell("width"), CultureInfo.InvariantCulture),
            Cell("param"), Cell("algorithm"), Cell("activation"), double.Parse(Cell("lr"), CultureInfo.InvariantCulture),
            double.Parse(Cell("beta"), CultureInfo.InvariantCulture), int.Parse(Cell("steps"), CultureInfo.InvariantCulture),
            ulong.Parse(Cell("seed"), CultureInfo.InvariantCulture), Cell("state"), Number(Cell("final_accuracy")), Number(Cell("best_accuracy")),
            loss >= 0 ? Number(cells[loss]) : null, double.Parse(Cell("seconds"), CultureInfo.InvariantCulture), int.Parse(Cell("batches"), CultureInfo.InvariantCulture),
            Pairs(Cell("accuracy_curve")), losses >= 0 ? Pairs(cells[losses]) : [], failure.Length == 0 ? null : failure);
    }

    /// <summary>"300:80.83 600:81.94" as (batch, value) pairs.</summary>
    private static (int, double)[] Pairs(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(':')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))];

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
