using System.Globalization;
using Pcn.Abstractions.Messages;

namespace Pcn.Client.Output;

/// <summary>
/// Live progress on one line (rewritten in a terminal, a new line every few seconds when output is redirected):
/// batches, samples/s, train loss, energy, last test accuracy and time left.
/// </summary>
public sealed class ProgressPrinter(TextWriter output, bool interactive)
{
    private DateTime _lastLine = DateTime.MinValue;
    private double? _lastAccuracy;

    /// <summary>Shows the state after <paramref name="snapshot"/>, whose summaries are the newest batches.</summary>
    public void Update(RunSnapshot snapshot, BatchSummary? latest)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (BatchSummary s in snapshot.Summaries)
        {
            if (s.TestAccuracy is double a)
            {
                _lastAccuracy = a;
                output.Write(interactive ? "\r\u001b[2K" : string.Empty);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  test accuracy after batch {s.Batch}: {a:F2}%"));
            }
        }

        if (!interactive && DateTime.UtcNow - _lastLine < TimeSpan.FromSeconds(5) && !snapshot.IsFinished)
        {
            return;
        }

        _lastLine = DateTime.UtcNow;
        double rate = snapshot.ElapsedSeconds > 0 ? snapshot.Batches * snapshot.Request.Training.BatchSize / snapshot.ElapsedSeconds : 0;
        double left = snapshot.Batches > 0 ? snapshot.ElapsedSeconds / snapshot.Batches * (snapshot.TotalBatches - snapshot.Batches) : double.NaN;
        string energy = latest is null || latest.LayerEnergies.Length == 0 ? "-" : latest.LayerEnergies.Sum().ToString("G4", CultureInfo.InvariantCulture);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"  batch {snapshot.Batches}/{snapshot.TotalBatches}  {rate,7:F0} samples/s  loss {latest?.TrainLoss ?? double.NaN:G4}  energy {energy}  acc {(_lastAccuracy is double acc ? acc.ToString("F2", CultureInfo.InvariantCulture) + "%" : "-")}  left {Format(left)}");
        if (interactive)
        {
            output.Write("\r\u001b[2K" + line);
        }
        else
        {
            output.WriteLine(line);
        }
    }

    /// <summary>Ends the progress line.</summary>
    public void Finish()
    {
        if (interactive)
        {
            output.WriteLine();
        }
    }

    private static string Format(double seconds) => double.IsFinite(seconds)
        ? TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture)
        : "-";
}
