using Pcn.Client.Output;
using ScottPlot;
using SkiaSharp;

namespace Pcn.Client.Tests;

/// <summary>The η×β heatmap, read back from its pixels: every labelled cell shows the loss of the point its labels name.</summary>
public sealed class PlotTests
{
    [Fact]
    public void LossHeatmap_PutsEachPointUnderItsOwnTickLabels_AndLeavesFailedPointsBlank()
    {
        // Three β values and two η values; the losses are 10^(0…4) so each cell has its own colour, and one point failed.
        SweepRow[] cell =
        [
            Point(0.1, 5, 1e-4), Point(0.01, 5, 1e-3),
            Point(0.1, 1, 1e-2), Point(0.01, 1, 1e-1),
            Point(0.1, 0.1, 1e0), Point(0.01, 0.1, double.NaN, "failed"),
        ];
        Plot heat = PlotsUnderTest(cell);
        string png = Path.Combine(Directory.CreateTempSubdirectory("pcn-heatmap").FullName, "heat.png");
        heat.SavePng(png, 1000, 650);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        var colours = new ScottPlot.Colormaps.Viridis();

        foreach (SweepRow point in cell)
        {
            // Where the axes' own tick labels say this point is.
            double x = heat.Axes.Bottom.TickGenerator.Ticks.Single(t => t.Label == point.LearningRate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)).Position;
            double y = heat.Axes.Left.TickGenerator.Ticks.Single(t => t.Label == point.InferenceRate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)).Position;
            Pixel pixel = heat.GetPixel(new Coordinates(x + 0.25, y + 0.25));  // off the grid lines, inside the cell
            SKColor seen = bitmap.GetPixel((int)pixel.X, (int)pixel.Y);

            if (point.State != "completed")
            {
                Assert.True(seen.Red > 240 && seen.Green > 240 && seen.Blue > 240, $"the failed point (η {point.LearningRate}, β {point.InferenceRate}) shows {seen}, not blank");
                continue;
            }

            // log10 loss runs from -4 to 0 over the completed points: its position on the colour scale.
            Color expected = colours.GetColor((Math.Log10(point.FinalTrainLoss!.Value) + 4) / 4);
            Assert.True(
                Math.Abs(seen.Red - expected.R) + Math.Abs(seen.Green - expected.G) + Math.Abs(seen.Blue - expected.B) < 30,
                $"(η {point.LearningRate}, β {point.InferenceRate}) shows {seen}, expected {expected}");
        }
    }

    [Fact]
    public void LossHeatmap_NeedsTwoValuesOfEach()
    {
        Assert.Null(Plots.LossHeatmap([Point(0.1, 1, 0.1), Point(0.01, 1, 0.2)], "one β"));
    }

    private static Plot PlotsUnderTest(SweepRow[] cell) => Plots.LossHeatmap(cell, "test") ?? throw new InvalidOperationException("no heatmap");

    private static SweepRow Point(double lr, double beta, double loss, string state = "completed") =>
        new($"p-{lr}-{beta}", 8, 64, "mupc", "pc", "relu", lr, beta, 8, 0, state, 80, 80, double.IsNaN(loss) ? null : loss, 1, 937, [(937, 80)], [], null);
}
