namespace Pcn.Client.Tests;

/// <summary>`pcn sweep`: every grid point runs and lands in the table; a rerun resumes, running only what is missing.</summary>
public sealed class SweepTests
{
    private static readonly string[] Grid =
    [
        "sweep", "--name", "grid", "--depth", "2,3", "--param", "mupc,sp", "--width", "16", "--lr", "0.1", "--beta", "0.5",
        "--batch-limit", "8", "--test-every", "4", "--limit-train", "1024", "--limit-test", "128", "--early-stop", "0", "--parallel", "3",
    ];

    [Fact]
    public async Task Sweep_RunsEveryPoint_WritesTheTable_AndResumes()
    {
        string work = Directory.CreateTempSubdirectory("pcn-sweep").FullName;
        string[] args = [.. Grid, "--sweep-dir", Path.Combine(work, "grid")];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("4 points, 0 already finished, 4 to run", output);
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(work, "grid", "results.csv"));
        Assert.Equal(5, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Contains(",completed,", line));
        Assert.Equal(4, lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
        Assert.True(File.Exists(Path.Combine(work, "grid", "results.json")));

        // (runs/.state is the embedded silo's store of run records, not a point)
        string oneRun = Directory.GetDirectories(Path.Combine(work, "grid", "runs")).Where(d => !Path.GetFileName(d).StartsWith('.')).Order().First();
        Directory.Delete(oneRun, recursive: true);
        (int again, string resumed, _) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.Equal(0, again);
        Assert.Contains("4 points, 3 already finished, 1 to run", resumed);
        Assert.Contains($"started  {Path.GetFileName(oneRun)}", resumed);
        Assert.Equal(5, (await File.ReadAllLinesAsync(Path.Combine(work, "grid", "results.csv"))).Length);

        string plots = Path.Combine(work, "plots");
        (int plotted, string files, string plotError) = await Processes.RunAsync(Processes.Pcn, ["plot", "--sweep", Path.Combine(work, "grid"), "--run", Path.Combine(oneRun, "results.json"), "--out", plots], TimeSpan.FromMinutes(2));
        Assert.True(plotted == 0, $"exit {plotted}: {files}{plotError}");
        string[] written = files.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(written, f => Path.GetFileName(f) == "accuracy-over-training-mupc-lr0.1-b0.5.png");
        Assert.Contains(written, f => Path.GetFileName(f) == "accuracy-over-training-pc-sp.png");
        Assert.Contains(written, f => f.EndsWith("accuracy-vs-depth.png", StringComparison.Ordinal));
        Assert.Contains(written, f => Path.GetFileName(f).StartsWith("energy-", StringComparison.Ordinal));
        foreach (string file in written)
        {
            byte[] png = await File.ReadAllBytesAsync(file);
            Assert.True(png.Length > 5000, $"{file} is only {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        }
    }

    [Fact]
    public async Task LrBetaGrid_TabulatesTheTailMeanTrainLoss_AndPlotsItsHeatmap()
    {
        string work = Directory.CreateTempSubdirectory("pcn-grid").FullName;
        string sweep = Path.Combine(work, "lrbeta");
        string[] args =
        [
            "sweep", "--name", "lrbeta", "--sweep-dir", sweep, "--depth", "2", "--width", "16", "--lr", "0.1,0.02", "--beta", "0.5,0.1",
            "--batch-limit", "60", "--test-every", "30", "--limit-train", "4096", "--limit-test", "128", "--early-stop", "0", "--parallel", "2",
        ];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(sweep, "results.csv"));
        int column = Array.IndexOf(lines[0].Split(','), "train_loss_last50");
        Assert.True(column > 0, lines[0]);
        Assert.Equal(5, lines.Length);
        foreach (string line in lines.Skip(1))
        {
            // The oracle: the mean of the last 50 of the 60 per-batch losses in the point's own results file.
            string id = line.Split(',')[0];
            using var results = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(sweep, "runs", id, "results.json")));
            double[] losses = results.RootElement.GetProperty("batches").EnumerateArray().Select(b => b.GetProperty("trainLoss").GetDouble()).ToArray();
            Assert.Equal(60, losses.Length);
            double expected = losses[10..].Average();
            Assert.Equal(expected, double.Parse(line.Split(',')[column], System.Globalization.CultureInfo.InvariantCulture), expected * 1e-5);
            Assert.NotEqual(losses[^1], expected);
            string[] curve = line.Split(',')[Array.IndexOf(lines[0].Split(','), "train_loss_curve")].Split(' ');
            Assert.Equal(2, curve.Length);
            Assert.StartsWith("30:", curve[0], StringComparison.Ordinal);
            Assert.Equal(losses[..30].Average(), double.Parse(curve[0][3..], System.Globalization.CultureInfo.InvariantCulture), expected * 1e-5);
            Assert.Equal($"60:{line.Split(',')[column]}", curve[1]);
        }

        (int plotted, string files, string plotError) = await Processes.RunAsync(Processes.Pcn, ["plot", "--sweep", sweep, "--out", Path.Combine(work, "plots")], TimeSpan.FromMinutes(2));

        Assert.True(plotted == 0, $"exit {plotted}: {files}{plotError}");
        string heatmap = Path.Combine(work, "plots", "lr-beta-mupc-N16-H2.png");
        Assert.True(File.Exists(heatmap), files);
        Assert.True(new FileInfo(heatmap).Length > 5000);

        // The table alone (as kept in docs/results) reads back as the runs it was written from, and plots the same figures.
        var fromRuns = Directory.GetFiles(Path.Combine(sweep, "runs"), "results.json", SearchOption.AllDirectories).Select(Output.SweepRow.FromResults).OrderBy(r => r.RunId, StringComparer.Ordinal).ToArray();
        var fromTable = Output.SweepRow.FromTable(Path.Combine(sweep, "results.csv")).OrderBy(r => r.RunId, StringComparer.Ordinal).ToArray();
        Assert.Equal(fromRuns.Select(r => (r.RunId, r.Depth, r.Width, r.LearningRate, r.InferenceRate, r.Seed, r.State, r.Batches)), fromTable.Select(r => (r.RunId, r.Depth, r.Width, r.LearningRate, r.InferenceRate, r.Seed, r.State, r.Batches)));
        for (int i = 0; i < fromRuns.Length; i++)
        {
            Assert.Equal(fromRuns[i].FinalAccuracy!.Value, fromTable[i].FinalAccuracy!.Value, 0.00501);  // the table keeps two decimals
            Assert.Equal(fromRuns[i].FinalTrainLoss!.Value, fromTable[i].FinalTrainLoss!.Value, fromRuns[i].FinalTrainLoss!.Value * 1e-5);
            Assert.Equal(fromRuns[i].AccuracyCurve.Select(c => c.Batch), fromTable[i].AccuracyCurve.Select(c => c.Batch));
            Assert.Equal(fromRuns[i].LossCurve.Count, fromTable[i].LossCurve.Count);
        }

        (int tabled, string tableFiles, string tableError) = await Processes.RunAsync(Processes.Pcn, ["plot", "--table", Path.Combine(sweep, "results.csv"), "--out", Path.Combine(work, "table-plots")], TimeSpan.FromMinutes(2));
        Assert.True(tabled == 0, $"exit {tabled}: {tableFiles}{tableError}");
        Assert.Equal(
            Directory.GetFiles(Path.Combine(work, "plots")).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(work, "table-plots")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Plot_RefusesATableThatIsNotOne_NamingTheFile()
    {
        string bad = Path.Combine(Directory.CreateTempSubdirectory("pcn-table").FullName, "results.csv");
        await File.WriteAllTextAsync(bad, "run_id,depth\nonly-one-cell\n");

        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["plot", "--table", bad], TimeSpan.FromMinutes(1));

        Assert.Equal(1, code);
        Assert.Contains(bad, error);
        Assert.Contains("has 1 columns where the header has 2", error);
    }

    [Fact]
    public async Task Plot_NamesTheFileAndLine_OfAMalformedValue()
    {
        string bad = Path.Combine(Directory.CreateTempSubdirectory("pcn-table").FullName, "results.csv");
        string header = "run_id,depth,width,param,algorithm,activation,lr,beta,steps,seed,state,final_accuracy,best_accuracy,train_loss_last50,seconds,batches,accuracy_curve,train_loss_curve,failure";
        await File.WriteAllLinesAsync(bad, [header, "a,8,128,mupc,pc,relu,0.1,0.5,8,0,completed,83.19,83.24,0.12,6.3,937,300:80.83,300:0.13,\"\"", "b,eight,128,mupc,pc,relu,0.1,0.5,8,0,completed,83.19,83.24,0.12,6.3,937,300:80.83,300:0.13,\"\""]);

        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["plot", "--table", bad, "--out", Path.GetTempPath()], TimeSpan.FromMinutes(1));

        Assert.Equal(1, code);
        Assert.Contains($"{bad}, line 3:", error);
    }

    [Fact]
    public async Task Plot_OfRunsThatWereNeverEvaluated_DrawsNoAccuracyFigure_AndDoesNotFail()
    {
        string table = Path.Combine(Directory.CreateTempSubdirectory("pcn-table").FullName, "results.csv");
        string header = "run_id,depth,width,param,algorithm,activation,lr,beta,steps,seed,state,final_accuracy,best_accuracy,train_loss_last50,seconds,batches,accuracy_curve,train_loss_curve,failure";
        await File.WriteAllLinesAsync(table, [header, "d,8,128,mupc,pc,relu,0.1,1000,8,0,diverged,,,,0.4,0,,,\"batch 1: Diverged\""]);
        string plots = Path.Combine(Path.GetDirectoryName(table)!, "plots");

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["plot", "--table", table, "--out", plots], TimeSpan.FromMinutes(1));

        Assert.True(code == 0, error);
        Assert.Empty(Directory.GetFiles(plots));
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public async Task Sweep_RefusesABadGridValue_NamingTheOption()
    {
        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["sweep", "--depth", "8,zero"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, code);
        Assert.Contains("--depth", error);
        Assert.Contains("'zero'", error);
    }
}
