using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace Pcn.Client.Output;

/// <summary>
/// PNG figures from sweep tables and run results (ScottPlot): test accuracy over training, one figure per method with a
/// line per depth (the Figure 1 analogue); final accuracy against depth; η×β heatmaps of the train loss per method,
/// width and depth (the transfer figure analogue); and the per-layer energy of a run over training as a heatmap.
/// </summary>
public static class Plots
{
    private const int Width = 1000;
    private const int Height = 650;

    /// <summary>Writes the sweep figures for <paramref name="rows"/> into <paramref name="directory"/>; returns the files.</summary>
    public static IReadOnlyList<string> Sweep(IReadOnlyList<SweepRow> rows, string directory)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        SweepRow[] finished = rows.Where(r => r.AccuracyCurve.Count > 0).ToArray();
        if (finished.Length > 0)
        {
            AccuracyFigures(finished, directory, files);
        }

        foreach (IGrouping<(int Width, int Depth, string Method), SweepRow> cell in rows.Where(r => r.Algorithm == "pc").GroupBy(r => (r.Width, r.Depth, Method: r.Parameterisation)))
        {
            if (LossHeatmap([.. cell], $"{cell.Key.Method}: train loss over η × β, N={cell.Key.Width} H={cell.Key.Depth}") is Plot heat)
            {
                files.Add(Save(heat, directory, $"lr-beta-{cell.Key.Method}-N{cell.Key.Width}-H{cell.Key.Depth}.png"));
            }
        }

        return files;
    }

    /// <summary>Accuracy over training (a figure per method) and final accuracy against depth, for runs that were evaluated.</summary>
    private static void AccuracyFigures(SweepRow[] finished, string directory, List<string> files)
    {

        // The Figure 1 analogue: one figure per method, a line per depth (mean over seeds), coloured by depth on one
        // scale and drawn on the same axes in every figure, so that figures compare side by side.
        int[] depths = finished.Select(r => r.Depth).Distinct().Order().ToArray();
        double low = Math.Floor(finished.SelectMany(r => r.AccuracyCurve).Min(c => c.Accuracy) / 5) * 5;
        double high = Math.Min(100, Math.Ceiling(finished.SelectMany(r => r.AccuracyCurve).Max(c => c.Accuracy) / 5) * 5 + 1);
        double lastBatch = finished.SelectMany(r => r.AccuracyCurve).Max(c => c.Batch);
        var palette = new ScottPlot.Colormaps.Viridis();
        foreach (IGrouping<string, SweepRow> method in finished.GroupBy(Method).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var curves = new Plot();
            foreach (IGrouping<int, SweepRow> runs in method.GroupBy(r => r.Depth).OrderBy(g => g.Key))
            {
                (double Batch, double Accuracy)[] mean = runs.SelectMany(r => r.AccuracyCurve).GroupBy(c => c.Batch).OrderBy(g => g.Key)
                    .Select(g => ((double)g.Key, g.Average(c => c.Accuracy))).ToArray();
                var line = curves.Add.Scatter(mean.Select(c => c.Batch).ToArray(), mean.Select(c => c.Accuracy).ToArray());
                line.Color = palette.GetColor(depths.Length == 1 ? 0 : Array.IndexOf(depths, runs.Key) / (depths.Length - 1.0) * 0.9);
                line.LineWidth = 2;
                line.MarkerSize = 7;
                int seeds = runs.Select(r => r.Seed).Distinct().Count();
                line.LegendText = string.Create(CultureInfo.InvariantCulture, $"H={runs.Key}{(seeds > 1 ? $" ({seeds} seeds)" : string.Empty)}");
            }

            Finish(curves, $"Test accuracy over training: {method.Key}", "batch", "test accuracy (%)");
            curves.Axes.SetLimits(0, lastBatch * 1.02, low, high);
            files.Add(Save(curves, directory, $"accuracy-over-training-{Slug(method.First())}.png"));
        }

        var depth = new Plot();
        foreach (IGrouping<string, SweepRow> method in finished.GroupBy(Method).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var points = method.GroupBy(r => r.Depth).OrderBy(g => g.Key).Select(g => (Depth: (double)g.Key, Accuracy: g.Average(r => r.FinalAccuracy ?? double.NaN))).ToArray();
            var line = depth.Add.Scatter(points.Select(p => Math.Log2(p.Depth)).ToArray(), points.Select(p => p.Accuracy).ToArray());
            line.LegendText = method.Key;
            line.LineWidth = 2;
            line.MarkerSize = 8;
        }

        Finish(depth, "Final test accuracy against depth (mean over seeds)", "H (hidden layers, log scale)", "test accuracy (%)");
        depth.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(depths.Select(d => Math.Log2(d)).ToArray(), depths.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray());
        depth.ShowLegend(Alignment.LowerLeft);
        files.Add(Save(depth, directory, "accuracy-vs-depth.png"));
    }

    /// <summary>
    /// The η×β heatmap of log₁₀ train loss (mean over seeds) for one method, width and depth, with η on the x axis and β
    /// on the y axis, both ascending; failed and diverged points are blank, as in the paper's figures. Null when the
    /// rows do not span at least two values of each.
    /// </summary>
    public static Plot? LossHeatmap(IReadOnlyList<SweepRow> cell, string title)
    {
        ArgumentNullException.ThrowIfNull(cell);
        double[] lrs = cell.Select(r => r.LearningRate).Distinct().Order().ToArray();
        double[] betas = cell.Select(r => r.InferenceRate).Distinct().Order().ToArray();
        if (lrs.Length < 2 || betas.Length < 2)
        {
            return null;
        }

        // ScottPlot draws a heatmap's row 0 at the top: the largest β goes in row 0, and tick i (counted from the
        // bottom) is betas[i] in ascending order.
        double[,] loss = new double[betas.Length, lrs.Length];
        for (int b = 0; b < betas.Length; b++)
        {
            for (int l = 0; l < lrs.Length; l++)
            {
                SweepRow[] matches = cell.Where(r => r.LearningRate == lrs[l] && r.InferenceRate == betas[b]).ToArray();
                double value = matches.Length == 0 || matches.Any(r => r.State != "completed") ? double.NaN : matches.Average(r => r.FinalTrainLoss ?? double.NaN);
                loss[betas.Length - 1 - b, l] = double.IsFinite(value) ? Math.Log10(value) : double.NaN;
            }
        }

        var heat = new Plot();
        var map = heat.Add.Heatmap(loss);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        heat.Add.ColorBar(map).Label = "log₁₀ train loss (mean of the last 50 batches; blank: failed or not run)";
        heat.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, lrs.Length).Select(i => (double)i).ToArray(), lrs.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        heat.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, betas.Length).Select(i => (double)i).ToArray(), betas.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)).ToArray());
        heat.Title(title);
        heat.XLabel("η (Adam, weights)");
        heat.YLabel("β (inference)");
        return heat;
    }

    /// <summary>The per-layer energy of one run over training (layers × batches, log scale) from its results file.</summary>
    public static string RunEnergy(string resultsPath, string directory)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(resultsPath));
        JsonElement[] batches = document.RootElement.GetProperty("batches").EnumerateArray().Where(b => b.GetProperty("layerEnergies").GetArrayLength() > 0).ToArray();
        if (batches.Length == 0)
        {
            throw new InvalidOperationException($"{resultsPath} has no per-layer energies (a backprop run?).");
        }

        int layers = batches[0].GetProperty("layerEnergies").GetArrayLength();
        double[,] energy = new double[layers, batches.Length];
        for (int b = 0; b < batches.Length; b++)
        {
            double[] e = batches[b].GetProperty("layerEnergies").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int l = 0; l < layers; l++)
            {
                energy[layers - 1 - l, b] = e[l] > 0 && double.IsFinite(e[l]) ? Math.Log10(e[l]) : double.NaN;
            }
        }

        var plot = new Plot();
        var map = plot.Add.Heatmap(energy);
        map.Colormap = new ScottPlot.Colormaps.Turbo();
        plot.Add.ColorBar(map).Label = "log₁₀ E_l/B";
        string run = document.RootElement.GetProperty("runId").GetString()!;
        plot.Title($"Per-layer energy over training: {run}");
        plot.XLabel("batch");
        plot.YLabel("layer l (1 at the bottom)");
        Directory.CreateDirectory(directory);
        return Save(plot, directory, $"energy-{run}.png");
    }

    /// <summary>
    /// Which layers learned, for several runs in one figure: each run's relative weight change ‖W_ℓ − W_ℓ(0)‖ / ‖W_ℓ(0)‖
    /// at its last measurement against ℓ (log scale), one line per run (<see cref="ReadLearning"/>). A layer that did
    /// not move (change 0) has no point.
    /// </summary>
    public static string LearningSignal(IReadOnlyList<(string Label, double[] Change)> runs, string directory)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var plot = new Plot();
        foreach ((string label, double[] change) in runs)
        {
            double[] layers = [.. Enumerable.Range(1, change.Length).Where(l => change[l - 1] > 0).Select(l => (double)l)];
            var line = plot.Add.Scatter(layers, [.. layers.Select(l => Math.Log10(change[(int)l - 1]))]);
            line.LegendText = label;
        }

        // The plot's font has no ℓ; the legend goes beside the axes, where no run's line can hide behind it.
        plot.Title("Which layers learned: relative weight change at the last evaluation");
        plot.XLabel("layer l (1 = lowest, L = output)");
        plot.YLabel("log₁₀ ‖W_l − W_l(0)‖ / ‖W_l(0)‖");
        plot.ShowLegend(Edge.Right);
        Directory.CreateDirectory(directory);
        return Save(plot, directory, "learning-signal.png");
    }

    /// <summary>A run's label (method, depth, trained layers, seed) and its last measured relative change per layer.</summary>
    public static (string Label, double[] Change) ReadLearning(string resultsPath)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(resultsPath));
        JsonElement root = document.RootElement;
        JsonElement[] measured = root.TryGetProperty("learning", out JsonElement learning) ? [.. learning.EnumerateArray()] : [];
        if (measured.Length == 0)
        {
            throw new InvalidOperationException($"{resultsPath} has no learning signal: no evaluation ran, or an older Pcn wrote it.");
        }

        return (RunLabel(root), [.. measured[^1].GetProperty("relativeChange").EnumerateArray().Select(v => v.GetDouble())]);
    }

    /// <summary>"µPC H=128 top:12 seed 0" from a results file's configuration.</summary>
    private static string RunLabel(JsonElement root)
    {
        JsonElement network = root.GetProperty("configuration").GetProperty("network"), training = root.GetProperty("configuration").GetProperty("training");
        string parameterisation = network.GetProperty("parameterisation").GetString()!;
        string method = training.GetProperty("algorithm").GetString() == "bp" ? $"BP ({parameterisation})" : parameterisation == "sp" ? "PC (SP)" : parameterisation == "mupc" ? "µPC" : $"PC ({parameterisation})";
        string trained = training.TryGetProperty("trainTopLayers", out JsonElement top) && top.ValueKind == JsonValueKind.Number ? $" top:{top.GetInt32()}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{method} H={network.GetProperty("depth").GetInt32()}{trained} seed {network.GetProperty("seed").GetUInt64()}");
    }

    private static string Method(SweepRow r) => r.Algorithm == "bp"
        ? string.Create(CultureInfo.InvariantCulture, $"BP {r.Parameterisation} lr={r.LearningRate:G3}")
        : r.Parameterisation == "sp"
            ? "PC (SP), η and β per depth"
            : string.Create(CultureInfo.InvariantCulture, $"µPC η={r.LearningRate:G3} β={r.InferenceRate:G3}");

    /// <summary>"mupc-lr0.1-b0.5", "bp-depth-mup-lr0.01", "pc-sp": a file-name part for a method.</summary>
    private static string Slug(SweepRow r) => r.Algorithm == "bp"
        ? string.Create(CultureInfo.InvariantCulture, $"bp-{r.Parameterisation.Replace('_', '-')}-lr{r.LearningRate:G3}")
        : r.Parameterisation == "sp"
            ? "pc-sp"
            : string.Create(CultureInfo.InvariantCulture, $"{r.Parameterisation.Replace('_', '-')}-lr{r.LearningRate:G3}-b{r.InferenceRate:G3}");

    private static void Finish(Plot plot, string title, string x, string y)
    {
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        plot.ShowLegend(Alignment.LowerRight);
    }

    private static string Save(Plot plot, string directory, string name)
    {
        string path = Path.Combine(directory, name);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
