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
        for (int i = 0; i < args.Count; i++)
        {
            string value = i + 1 < args.Count ? args[i + 1] : throw new Abstractions.Options.InvalidOptionException(args[i], "(missing)", "needs a value");
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
                    outDirectory = value;
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

        var rows = sweeps.SelectMany(s => Directory.GetFiles(Path.Combine(s, "runs"), "results.json", SearchOption.AllDirectories)).Select(SweepRow.FromResults)
            .Concat(tables.SelectMany(SweepRow.FromTable)).ToList();
        var files = new List<string>();
        if (rows.Count > 0)
        {
            files.AddRange(Plots.Sweep(rows, outDirectory));
        }

        files.AddRange(runs.Select(r => Plots.RunEnergy(r, outDirectory)));
        foreach (string file in files)
        {
            output.WriteLine(Path.GetFullPath(file));
        }

        return 0;
    }
}
