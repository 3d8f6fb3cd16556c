using System.CommandLine;
using Pcn.Client.CommandLine;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn plot --sweep DIR [--table results.csv ...] [--run results.json ...] --out DIR`: PNG figures (see <see cref="Plots"/>)
/// from sweep directories, from sweep tables alone (e.g. those kept in docs/results), and from single runs.
/// </summary>
public static class PlotCommand
{
    private static readonly Option<string[]?> Sweeps = PcnOption.Repeated("--sweep", "a sweep directory (with runs/*/results.json); may be given several times");
    private static readonly Option<string[]?> Tables = PcnOption.Repeated("--table", "a sweep's results.csv, plotted without its runs/; may be given several times");
    private static readonly Option<string[]?> Runs = PcnOption.Repeated("--run", "a run's results.json (its per-layer energy); may be given several times");
    private static readonly Option<string[]?> Learning = PcnOption.Repeated("--learning", "a run's results.json, drawn with the others in one learning-signal figure (relative weight change against layer); may be given several times");
    private static readonly Option<string> Out = PcnOption.Text("--out", "the directory the PNGs are written to", "plots");

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("plot", "PNGs: accuracy over training, accuracy vs depth, η×β loss heatmaps, per-layer energy, the learning signal") { Sweeps, Tables, Runs, Learning, Out };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult result)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        string[] sweeps = result.GetValue(Sweeps) ?? [];
        string[] tables = result.GetValue(Tables) ?? [];
        string[] runs = result.GetValue(Runs) ?? [];
        string[] learning = result.GetValue(Learning) ?? [];
        string outDirectory = result.GetValue(Out)!;
        RequireAll(sweeps, Directory.Exists, "--sweep", "must be a sweep directory (with runs/*/results.json)");
        RequireAll(tables, File.Exists, "--table", "must be a sweep table (a sweep's results.csv)");
        RequireAll(runs, File.Exists, "--run", "must be a run's results.json");
        RequireAll(learning, File.Exists, "--learning", "must be a run's results.json");
        if (sweeps.Length == 0 && tables.Length == 0 && runs.Length == 0 && learning.Length == 0)
        {
            throw new Abstractions.Options.InvalidOptionException("--sweep", "(missing)", "give at least one --sweep directory, --table, --run or --learning results file");
        }

        OutputDirectory.RequireWritable(outDirectory, "--out");
        var rows = sweeps.SelectMany(RunsOf).Select(ReadOrSkip).OfType<SweepRow>()
            .Concat(tables.SelectMany(SweepRow.FromTable)).ToList();
        var files = new List<string>();
        if (rows.Count > 0)
        {
            files.AddRange(Plots.Sweep(rows, outDirectory));
        }

        files.AddRange(runs.Select(r => RunEnergy(r, outDirectory)));
        if (learning.Length > 0)
        {
            files.Add(Plots.LearningSignal([.. learning.Select(l => Complete(() => Plots.ReadLearning(l), $"--learning {l}"))], outDirectory));
        }
        foreach (string file in files)
        {
            output.WriteLine(Path.GetFullPath(file));
        }

        return 0;
    }

    private static void RequireAll(string[] paths, Func<string, bool> exists, string option, string allowed)
    {
        string? missing = paths.FirstOrDefault(p => !exists(p));
        if (missing is not null)
        {
            throw new Abstractions.Options.InvalidOptionException(option, $"'{missing}'", allowed);
        }
    }

    private static string[] RunsOf(string sweep)
    {
        string runs = Path.Combine(sweep, "runs");
        if (!Directory.Exists(runs))
        {
            throw new Abstractions.Options.InvalidOptionException("--sweep", $"'{sweep}'", $"must be a sweep directory, with runs/*/results.json; {runs} does not exist");
        }

        // A sweep with nothing to plot is more likely a wrong directory than an intended empty figure.
        string[] results = Directory.GetFiles(runs, "results.json", SearchOption.AllDirectories);
        return results.Length > 0 ? results : throw new Abstractions.Options.InvalidOptionException("--sweep", $"'{sweep}'", $"has no results yet: no {runs}/*/results.json");
    }

    private static string RunEnergy(string results, string outDirectory) => Complete(() => Plots.RunEnergy(results, outDirectory), $"--run {results}");

    /// <summary>What <paramref name="read"/> takes from a results file, or one line naming the file that is not a complete one.</summary>
    private static T Complete<T>(Func<T> read, string what)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException)
        {
            throw new FormatException($"{what} is not a complete results file ({e.Message.Split(" Path:")[0].TrimEnd('.')})", e);
        }
    }

    /// <summary>One broken results file (a point interrupted while it was written) should not cost the whole plot.</summary>
    private static SweepRow? ReadOrSkip(string path)
    {
        try
        {
            return SweepRow.FromResults(path);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"pcn plot: warning: {e.Message}; skipped");
            return null;
        }
    }
}
