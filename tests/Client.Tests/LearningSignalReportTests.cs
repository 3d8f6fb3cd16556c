using System.Text.Json;

namespace Pcn.Client.Tests;

/// <summary>
/// A real `pcn train` with --train-layers top:2 on a 5-layer network reports its learning signal: in results.json at
/// every evaluation, in the summary in words, and as `pcn plot --learning`'s figure. The three frozen layers keep
/// their initial weights (relative change exactly 0, no update); the two trained ones move in every batch.
/// </summary>
public sealed class LearningSignalReportTests
{
    [Fact]
    public async Task FrozenAndTrainedLayers_AreReported_InResultsSummaryAndPlot()
    {
        string work = Directory.CreateTempSubdirectory("pcn-learning").FullName;
        string[] args = ["train", "--depth", "4", "--width", "16", "--limit-train", "640", "--limit-test", "128", "--batch-limit", "6", "--test-every", "3", "--early-stop", "0", "--train-layers", "top:2", "--run-id", "frozen", "--runs-dir", work];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, output + error);
        Assert.Matches(@"(?m)^  learning +layers 4–5 learned \(relative change [0-9.E\-]+ to [0-9.E\-]+\); 1–3 unchanged$", output);
        string results = Path.Combine(work, "frozen", "results.json");
        using (JsonDocument document = JsonDocument.Parse(await File.ReadAllTextAsync(results)))
        {
            JsonElement[] learning = [.. document.RootElement.GetProperty("learning").EnumerateArray()];
            Assert.Equal([3, 6], learning.Select(l => l.GetProperty("batch").GetInt32()));
            foreach (JsonElement measured in learning)
            {
                int batch = measured.GetProperty("batch").GetInt32();
                double[] change = [.. measured.GetProperty("relativeChange").EnumerateArray().Select(v => v.GetDouble())];
                int[] updated = [.. measured.GetProperty("updatedBatches").EnumerateArray().Select(v => v.GetInt32())];
                Assert.Equal([0, 0, 0], change[..3]);
                Assert.All(change[3..], c => Assert.True(c > 0, $"batch {batch}: {string.Join(", ", change)}"));
                Assert.Equal([0, 0, 0, batch, batch], updated);
            }

            Assert.Equal(2, document.RootElement.GetProperty("configuration").GetProperty("training").GetProperty("trainTopLayers").GetInt32());
        }

        string plots = Path.Combine(work, "plots");
        (int plotCode, string plotted, string plotError) = await Processes.RunAsync(Processes.Pcn, ["plot", "--learning", results, "--out", plots], TimeSpan.FromMinutes(1));
        Assert.True(plotCode == 0, plotted + plotError);
        string figure = Path.Combine(plots, "learning-signal.png");
        Assert.Contains(figure, plotted, StringComparison.Ordinal);
        Assert.True(new FileInfo(figure).Length > 10_000, "the figure is written");
    }
}
