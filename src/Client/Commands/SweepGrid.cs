using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;

namespace Pcn.Client.Commands;

/// <summary>
/// The points of `pcn sweep`: the Cartesian product of comma-separated values for depth, width, parameterisation,
/// algorithm, activation, η, β and seed, on top of the common options of `pcn train`. Each point's run id is derived
/// from its configuration, so a rerun finds the points it has already finished.
/// </summary>
public sealed record SweepGrid(string Name, IReadOnlyList<RunRequest> Points, string Directory, int Parallel, string? Cluster, string Backend)
{
    /// <summary>Parses the grid; every value is validated before anything runs.</summary>
    public static SweepGrid Parse(IReadOnlyList<string> args)
    {
        var grid = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var rest = new List<string>();
        string[] axes = ["--depth", "--width", "--param", "--algorithm", "--activation", "--lr", "--beta", "--seed"];
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg.Contains('=', StringComparison.Ordinal) ? arg[..arg.IndexOf('=', StringComparison.Ordinal)] : arg;
            if (axes.Contains(name))
            {
                string value = arg.Length > name.Length ? arg[(name.Length + 1)..] : (i + 1 < args.Count ? args[++i] : throw new InvalidOptionException(name, "(missing)", "needs a value or a comma-separated list"));
                string[] values = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (values.Length == 0)
                {
                    // An empty list would otherwise fall back to the default value without a word.
                    throw new InvalidOptionException(name, $"'{value}'", "needs a value or a comma-separated list such as 8,16");
                }

                if (!grid.TryAdd(name, values))
                {
                    throw new InvalidOptionException(name, $"'{string.Join(',', grid[name])}' and '{value}'", "is given twice; give the values once, comma-separated");
                }

                continue;
            }

            // Points take their ids from the grid and write under the sweep directory, on an embedded silo of their own.
            string? notHere = name switch
            {
                "--run-id" => "each point's id is made from its configuration (name the sweep with --name)",
                "--runs-dir" => "points are written under --sweep-dir DIR, in DIR/runs",
                "--metrics-port" => "a sweep's embedded silo takes a free port",
                _ => null,
            };
            if (notHere is not null)
            {
                throw new InvalidOptionException(name, "(given)", $"is not an option of `pcn sweep`: {notHere}");
            }

            rest.Add(arg);
        }

        var reader = new ArgumentReader(rest, TrainSettings.Flags);
        string sweepName = reader.Text("--name", "sweep");
        RunIds.Validate(sweepName, "--name");
        string directory = reader.Text("--sweep-dir", Path.Combine("sweeps", sweepName));
        int parallel = reader.Count("--parallel", 2);
        if (parallel is < 1 or > 64)
        {
            throw new InvalidOptionException("--parallel", parallel.ToString(CultureInfo.InvariantCulture), "must be an integer in [1, 64]");
        }

        // The common options, parsed once through `pcn train`'s parser (which validates them), then varied per point.
        TrainSettings common = TrainSettings.Parse(new ArgumentReader([.. rest.Where((a, i) => !IsSweepOnly(rest, i)), "--run-id", "template"], TrainSettings.Flags));
        string[] Values(string axis, string fallback) => grid.TryGetValue(axis, out string[]? v) && v.Length > 0 ? v : [fallback];
        var points = new List<RunRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var combinations =
            from depth in Values("--depth", common.Request.Network.Depth.ToString(CultureInfo.InvariantCulture))
            from width in Values("--width", common.Request.Network.Width.ToString(CultureInfo.InvariantCulture))
            from param in Values("--param", OptionNames.Name(common.Request.Network.Parameterisation))
            from algorithm in Values("--algorithm", OptionNames.Name(common.Request.Training.Algorithm))
            from activation in Values("--activation", OptionNames.Name(common.Request.Network.Activation))
            from lr in Values("--lr", common.Request.Training.LearningRate.ToString("R", CultureInfo.InvariantCulture))
            from beta in Values("--beta", common.Request.Training.InferenceRate.ToString("R", CultureInfo.InvariantCulture))
            from seed in Values("--seed", common.Request.Network.Seed.ToString(CultureInfo.InvariantCulture))
            select (depth, width, param, algorithm, activation, lr, beta, seed);
        foreach ((string depth, string width, string param, string algorithm, string activation, string lr, string beta, string seed) in combinations)
        {
            Algorithm alg = OptionNames.ParseAlgorithm(algorithm);
            var network = common.Request.Network with
            {
                Depth = ParseInt("--depth", depth),
                Width = ParseInt("--width", width),
                Parameterisation = OptionNames.ParseParameterisation(param),
                Activation = OptionNames.ParseActivation(activation),
                Seed = ulong.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong s) ? s : throw new InvalidOptionException("--seed", $"'{seed}'", "must be a non-negative integer"),
            };
            var training = common.Request.Training with
            {
                Algorithm = alg,
                LearningRate = ParseDouble("--lr", lr),
                InferenceRate = alg == Algorithm.Bp ? common.Request.Training.InferenceRate : ParseDouble("--beta", beta),
                ShuffleSeed = network.Seed,
            };
            network.Validate();
            training.Validate();
            NetworkFootprint.RequireArraySizes(network, training.BatchSize);
            var point = new RunRequest(PointId(sweepName, network, training), network, training, common.Request.Data);
            if (seen.Add(point.RunId))
            {
                points.Add(point);
            }
        }

        if (common.Cluster is null)
        {
            // Every point against the data, and the largest points that run at once against this machine's memory.
            TrainSettings.RequireFitsData(points, parallel);
        }

        return new SweepGrid(sweepName, points, directory, parallel, common.Cluster, common.Backend);
    }

    private static bool IsSweepOnly(List<string> args, int i)
    {
        static bool Named(string a, string n) => a == n || a.StartsWith(n + "=", StringComparison.Ordinal);
        string[] own = ["--name", "--sweep-dir", "--parallel"];
        return own.Any(n => Named(args[i], n)) || (i > 0 && own.Contains(args[i - 1]));
    }

    /// <summary>"{sweep}-H8-N128-mupc-pc-relu-lr0.1-b0.5-s0-{hash}": readable, and unique for the whole configuration.</summary>
    private static string PointId(string sweep, NetworkOptions n, TrainingOptions t)
    {
        string readable = string.Create(CultureInfo.InvariantCulture, $"{sweep}-H{n.Depth}-N{n.Width}-{OptionNames.Name(n.Parameterisation)}-{OptionNames.Name(t.Algorithm)}-{OptionNames.Name(n.Activation)}-lr{t.LearningRate:R}-b{t.InferenceRate:R}-s{n.Seed}");
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{n}|{t}"));
        return $"{readable.Replace('_', '-')}-{Convert.ToHexString(hash)[..8].ToLowerInvariant()}";
    }

    private static int ParseInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new InvalidOptionException(option, $"'{text}'", "must be an integer");

    private static double ParseDouble(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new InvalidOptionException(option, $"'{text}'", "must be a number");
}
