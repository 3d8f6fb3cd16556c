using System.CommandLine;
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
    private static readonly Option<string[]?>[] AxisLists =
    [
        PcnOption.List("--depth", "hidden layers H, comma-separated (default: 8)"),
        PcnOption.List("--width", "widths N, comma-separated (default: 128)"),
        PcnOption.List("--param", "parameterisations: mupc, sp, depth_mup, comma-separated (default: mupc)"),
        PcnOption.List("--algorithm", "algorithms: pc, bp, comma-separated (default: pc)"),
        PcnOption.List("--activation", "activations, comma-separated (default: relu)"),
        PcnOption.List("--lr", "learning rates η, comma-separated (default: 0.1)"),
        PcnOption.List("--beta", "inference rates β, comma-separated (default: 0.5)"),
        PcnOption.List("--seed", "seeds, comma-separated (default: 0)"),
    ];

    private static readonly Option<string> NameOption = PcnOption.Text("--name", "the sweep's name, the start of its points' run ids", "sweep");

    private static readonly Option<string?> DirectoryOption = PcnOption.OptionalText("--sweep-dir", "where the table (results.csv, results.json) and the points' runs/ go (default: sweeps/{name})");

    private static readonly Option<int> ParallelOption = PcnOption.Integer("--parallel", "points that run at once", 2);

    /// <summary>
    /// `pcn train`'s options that a point takes from its sweep instead, each with why: known to `pcn sweep` (hidden
    /// from its help), so that giving one is refused with the reason rather than as an unknown option.
    /// </summary>
    private static readonly (Option<string?> Option, string Why)[] NotHere =
    [
        (Refused("--run-id"), "each point's id is made from its configuration (name the sweep with --name)"),
        (Refused("--runs-dir"), "points are written under --sweep-dir DIR, in DIR/runs"),
        (Refused("--metrics-port"), "a sweep's embedded silo takes a free port"),
    ];

    /// <summary>The options of `pcn sweep`: those of `pcn train`, with lists for the axes.</summary>
    public static IEnumerable<Option> Options =>
        TrainOptions.All.Except(TrainOptions.Axes).Except(TrainOptions.Placement).Except([TrainOptions.Resume])
            .Concat(AxisLists).Concat([NameOption, DirectoryOption, ParallelOption]).Concat(NotHere.Select(n => n.Option));

    /// <summary>Parses the grid; every value is validated before anything runs.</summary>
    public static SweepGrid Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var grid = AxisLists.Where(a => result.GetValue(a) is not null).ToDictionary(a => a.Name, a => result.GetValue(a)!, StringComparer.Ordinal);
        (Option<string?> given, string why) = NotHere.FirstOrDefault(n => result.GetResult(n.Option) is not null);
        if (given is not null)
        {
            throw new InvalidOptionException(given.Name, "(given)", $"is not an option of `pcn sweep`: {why}");
        }

        string sweepName = result.GetValue(NameOption)!;
        RunIds.Validate(sweepName, "--name");
        string directory = result.GetValue(DirectoryOption) ?? Path.Combine("sweeps", sweepName);
        int parallel = result.GetValue(ParallelOption);
        if (parallel is < 1 or > 64)
        {
            throw new InvalidOptionException("--parallel", parallel.ToString(CultureInfo.InvariantCulture), "must be an integer in [1, 64]");
        }

        // The common options, read and validated as `pcn train` reads them (the axes at their defaults), then varied per point.
        TrainSettings common = TrainSettings.Parse(result);
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

    private static Option<string?> Refused(string name)
    {
        Option<string?> option = PcnOption.OptionalText(name, string.Empty);
        option.Hidden = true;
        return option;
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
