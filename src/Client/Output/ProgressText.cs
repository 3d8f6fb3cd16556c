using System.Globalization;
using Pcn.Abstractions.Messages;

namespace Pcn.Client.Output;

/// <summary>The words of a run's progress, the same on a terminal and in plain lines; it remembers the last test accuracy.</summary>
internal sealed class ProgressText
{
    private double? _lastAccuracy;

    /// <summary>"test accuracy after batch K: A%" for each evaluation among the snapshot's (new) summaries.</summary>
    public IEnumerable<string> Accuracies(RunSnapshot snapshot)
    {
        foreach (BatchSummary s in snapshot.Summaries)
        {
            if (s.TestAccuracy is double a)
            {
                _lastAccuracy = a;
                yield return string.Create(CultureInfo.InvariantCulture, $"test accuracy after batch {s.Batch}: {a:F2}%");
            }
        }
    }

    /// <summary>Batches, samples/s, train loss, energy, last test accuracy and time left.</summary>
    public string Status(RunSnapshot snapshot, BatchSummary? latest)
    {
        double left = SecondsLeft(snapshot);
        string energy = latest is null || latest.LayerEnergies.Length == 0 ? "-" : latest.LayerEnergies.Sum().ToString("G4", CultureInfo.InvariantCulture);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"batch {snapshot.Batches}/{snapshot.TotalBatches}  {SamplesPerSecond(snapshot),7:F0} samples/s  loss {latest?.TrainLoss ?? double.NaN:G4}  energy {energy}  acc {(_lastAccuracy is double acc ? acc.ToString("F2", CultureInfo.InvariantCulture) + "%" : "-")}  left {Format(left)}");
    }

    private static double SamplesPerSecond(RunSnapshot snapshot) =>
        snapshot.ElapsedSeconds > 0 ? snapshot.Batches * snapshot.Request.Training.BatchSize / snapshot.ElapsedSeconds : 0;

    private static double SecondsLeft(RunSnapshot snapshot) =>
        snapshot.Batches > 0 ? snapshot.ElapsedSeconds / snapshot.Batches * (snapshot.TotalBatches - snapshot.Batches) : double.NaN;

    private static string Format(double seconds) => double.IsFinite(seconds)
        ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture)
        : "-";
}
