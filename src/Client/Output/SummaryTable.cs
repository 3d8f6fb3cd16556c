using System.Globalization;
using Pcn.Abstractions.Messages;
using Spectre.Console;

namespace Pcn.Client.Output;

/// <summary>The table printed when a run ends: plain lines, or a Spectre.Console table on a terminal.</summary>
public static class SummaryTable
{
    /// <summary>Writes the run's outcome, timings, accuracy and the final per-layer energies as aligned lines.</summary>
    public static void Write(TextWriter output, RunSnapshot snapshot, IReadOnlyList<BatchSummary> summaries, string resultsPath, StartupTimings? startup = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        List<(string Name, string Value)> rows = Rows(snapshot, summaries, resultsPath, startup);
        int width = rows.Max(row => row.Name.Length);
        output.WriteLine();
        foreach ((string name, string value) in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {value}"));
        }
    }

    /// <summary>The same rows as a table on <paramref name="console"/>.</summary>
    internal static void Render(IAnsiConsole console, RunSnapshot snapshot, IReadOnlyList<BatchSummary> summaries, string resultsPath, StartupTimings? startup = null)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn(string.Empty).AddColumn(string.Empty);
        table.Title = new TableTitle(Markup.Escape($"run {snapshot.Request.RunId}"));
        foreach ((string name, string value) in Rows(snapshot, summaries, resultsPath, startup))
        {
            table.AddRow(new Markup($"[bold]{Markup.Escape(name)}[/]"), new Text(value));
        }

        console.Write(table);
    }

    private static List<(string Name, string Value)> Rows(RunSnapshot snapshot, IReadOnlyList<BatchSummary> summaries, string resultsPath, StartupTimings? startup)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(summaries);
        RunRequest r = snapshot.Request;
        BatchSummary? last = summaries.Count > 0 ? summaries[^1] : null;
        double? accuracy = summaries.LastOrDefault(s => s.TestAccuracy is not null)?.TestAccuracy;
        RunTimings t = snapshot.Timings;
        double rate = t.TrainingSeconds > 0 ? summaries.Count * r.Training.BatchSize / t.TrainingSeconds : 0;
        var rows = new List<(string Name, string Value)>
        {
            ("run", r.RunId),
            ("state", snapshot.State.ToString().ToLowerInvariant() + (snapshot.Failure is null ? string.Empty : $" — {snapshot.Failure}")),
            ("network", $"H={r.Network.Depth} N={r.Network.Width} {Abstractions.Options.OptionNames.Name(r.Network.Activation)} {Abstractions.Options.OptionNames.Name(r.Network.Parameterisation)} {Abstractions.Options.OptionNames.Name(r.Network.Loss)}{(r.Network.Skips ? string.Empty : " no-skips")} seed {r.Network.Seed}"),
            ("training", $"{Abstractions.Options.OptionNames.Name(r.Training.Algorithm)} η={r.Training.LearningRate} β={r.Training.InferenceRate} T={r.Training.InferenceSteps ?? r.Network.Depth} B={r.Training.BatchSize}"),
            ("batches", $"{snapshot.Batches}/{snapshot.TotalBatches}"),
            ("time", $"{t.TrainingSeconds:F1} s training ({rate:F0} samples/s), {t.EvaluationSeconds:F1} s evaluation"),
            ("start-up", startup is null
                ? $"{t.SetupSeconds:F1} s run set-up (data set, layers)"
                : $"{startup.TotalSeconds:F1} s to the first batch: runtime {startup.RuntimeSeconds:F2} s, silo or cluster {startup.ClusterSeconds:F2} s, data set and layers {startup.RunSetupSeconds:F2} s"),
            ("train loss", last is null ? "-" : last.TrainLoss.ToString("G5", CultureInfo.InvariantCulture)),
            ("test accuracy", accuracy is double a ? $"{a:F2}%" : "-"),
        };
        if (last is { LayerEnergies.Length: > 0 })
        {
            rows.Add(("energy", $"{last.LayerEnergies.Sum():G5} total; per layer ℓ=1..{last.LayerEnergies.Length}: {string.Join(" ", last.LayerEnergies.Select(e => e.ToString("G3", CultureInfo.InvariantCulture)))}"));
        }

        if (summaries.LastOrDefault(s => s.Learning is not null)?.Learning is { } learning)
        {
            rows.Add(("learning", LearningSummary.Describe(learning)));
        }

        rows.Add(("results", resultsPath));
        return rows;
    }
}
