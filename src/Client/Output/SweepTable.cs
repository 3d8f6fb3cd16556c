using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pcn.Client.Output;

/// <summary>Writes a sweep's table as CSV and JSON (atomically, so an interrupted sweep leaves a readable table).</summary>
public static class SweepTable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes <c>results.csv</c> and <c>results.json</c> in <paramref name="directory"/>; returns the CSV path.</summary>
    public static string Write(string directory, IEnumerable<SweepRow> rows)
    {
        SweepRow[] ordered = rows.OrderBy(r => r.Algorithm, StringComparer.Ordinal).ThenBy(r => r.Parameterisation, StringComparer.Ordinal)
            .ThenBy(r => r.Depth).ThenBy(r => r.Width).ThenBy(r => r.LearningRate).ThenBy(r => r.InferenceRate).ThenBy(r => r.Seed).ToArray();
        var csv = new StringBuilder("run_id,depth,width,param,algorithm,activation,lr,beta,steps,seed,state,final_accuracy,best_accuracy,train_loss_last50,seconds,batches,accuracy_curve,train_loss_curve,failure\n");
        foreach (SweepRow r in ordered)
        {
            string curve = string.Join(' ', r.AccuracyCurve.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Batch}:{c.Accuracy:F2}")));
            string losses = string.Join(' ', r.LossCurve.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Batch}:{c.Loss:G6}")));
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.RunId},{r.Depth},{r.Width},{r.Parameterisation},{r.Algorithm},{r.Activation},{r.LearningRate:R},{r.InferenceRate:R},{r.Steps},{r.Seed},{r.State},{r.FinalAccuracy:F2},{r.BestAccuracy:F2},{r.FinalTrainLoss:G6},{r.Seconds:F1},{r.Batches},{curve},{losses},\"{r.Failure?.Replace("\"", "'", StringComparison.Ordinal)}\""));
        }

        string csvPath = Path.Combine(directory, "results.csv");
        Atomic(csvPath, csv.ToString());
        string json = JsonSerializer.Serialize(ordered.Select(r => new
        {
            runId = r.RunId, depth = r.Depth, width = r.Width, param = r.Parameterisation, algorithm = r.Algorithm, activation = r.Activation,
            lr = r.LearningRate, beta = r.InferenceRate, steps = r.Steps, seed = r.Seed, state = r.State, finalAccuracy = r.FinalAccuracy,
            bestAccuracy = r.BestAccuracy, trainLossLast50 = r.FinalTrainLoss, seconds = r.Seconds, batches = r.Batches,
            accuracy = r.AccuracyCurve.Select(c => new { batch = c.Batch, accuracy = c.Accuracy }),
            trainLoss = r.LossCurve.Select(c => new { batch = c.Batch, loss = c.Loss }), failure = r.Failure,
        }), Indented);
        Atomic(Path.Combine(directory, "results.json"), json);
        return csvPath;
    }

    private static void Atomic(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
