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
    private static readonly Option<string> Out = PcnOption.Text("--out", "the directory the PNGs are written to", "plots");

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("plot", "PNGs: accuracy over training, accuracy vs depth, η×β loss heatmaps, per-layer energy") { Sweeps, Tables, Runs, Out };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult result)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        string[] sweeps = result.GetValue(Sweeps) ?? [];
        string[] tables = result.GetValue(Tables) ?? [];
        string[] runs = result.GetValue(Runs) ?? [];
        string outDirectory = result.GetValue(Out)!;
        RequireAll(sweeps, Directory.Exists, "--sweep", "must be a sweep directory (with runs/*/results.json)");
        RequireAll(tables, File.Exists, "--table", "must be a sweep table (a sweep's results.csv)");
        RequireAll(runs, File.Exists, "--run", "must be a run's results.json");
        if (sweeps.Length == 0 && tables.Length == 0 && runs.Length == 0)
        {
            throw new Abstractions.Options.InvalidOptionException("--sweep", "(missing)", "give at least one --sweep directory, --table or --run results file");
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

    private static string RunEnergy(string results, string outDirectory)
    {
        try
        {
            return Plots.RunEnergy(results, outDirectory);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException)
        {
            throw new FormatException($"--run {results} is not a complete results file ({e.Message.Split(" Path:")[0].TrimEnd('.')})", e);
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
