using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn plot --sweep DIR [--table results.csv ...] [--run results.json ...] --out DIR`: PNG figures (see <see cref="Plots"/>)
/// from sweep directories, from sweep tables alone (e.g. those kept in docs/results), and from single runs.
/// </summary>
public static class PlotCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var sweeps = new List<string>();
        var tables = new List<string>();
        var runs = new List<string>();
        string outDirectory = "plots";
        bool outGiven = false;
        for (int i = 0; i < args.Count; i++)
        {
            string value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : throw new Abstractions.Options.InvalidOptionException(args[i], "(missing)", "needs a value");
            switch (args[i])
            {
                case "--sweep":
                    sweeps.Add(Directory.Exists(value) ? value : throw new Abstractions.Options.InvalidOptionException("--sweep", $"'{value}'", "must be a sweep directory (with runs/*/results.json)"));
                    break;
                case "--table":
                    tables.Add(File.Exists(value) ? value : throw new Abstractions.Options.InvalidOptionException("--table", $"'{value}'", "must be a sweep table (a sweep's results.csv)"));
                    break;
                case "--run":
                    runs.Add(File.Exists(value) ? value : throw new Abstractions.Options.InvalidOptionException("--run", $"'{value}'", "must be a run's results.json"));
                    break;
                case "--out":
                    // --sweep, --table and --run add up; a second --out would silently win over the first.
                    outDirectory = outGiven ? throw new Abstractions.Options.InvalidOptionException("--out", $"'{outDirectory}' and '{value}'", "is given twice; give one output directory") : value;
                    outGiven = true;
                    break;
                default:
                    throw new Abstractions.Options.InvalidOptionException(args[i], "(given)", "is not an option of `pcn plot` (--sweep, --table, --run, --out)");
            }

            i++;
        }

        if (sweeps.Count == 0 && tables.Count == 0 && runs.Count == 0)
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
