using System.CommandLine;
using System.Globalization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.Connection;

namespace Pcn.Client.CommandLine;

/// <summary>Options several commands share, declared once and read and checked the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>--cluster host:port[,...].</summary>
    public static readonly Option<string?> Cluster = PcnOption.OptionalText("--cluster", "the gateways of a Pcn cluster, host:port[,...] (default: a silo embedded in this process)");

    /// <summary>--runs-dir.</summary>
    public static readonly Option<string> RunsDirectory = PcnOption.Text("--runs-dir", "where runs keep their results ({runs-dir}/{run-id}/results.json) and the embedded silo its store", "runs");

    /// <summary>--metrics-port of the embedded silo.</summary>
    public static readonly Option<int> MetricsPort = PcnOption.Integer("--metrics-port", "the embedded silo's /metrics and /health port (0: a free one, printed at start)", 0);

    /// <summary>--quiet.</summary>
    public static readonly Option<bool> Quiet = PcnOption.Flag("--quiet", "no progress display; the summary only");

    /// <summary>--run ID of the commands that act on one run.</summary>
    public static readonly Option<string?> Run = PcnOption.OptionalText("--run", "the run's id (see `pcn status`)");

    /// <summary>--cluster, checked, or null for the embedded silo.</summary>
    public static string? ReadCluster(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string? cluster = result.GetValue(Cluster);
        if (cluster is not null)
        {
            ClusterAddress.Parse(cluster);
        }

        return cluster;
    }

    /// <summary>--metrics-port, in [0, 65535].</summary>
    public static int ReadMetricsPort(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        int port = result.ValueOrDeclaredDefault(MetricsPort);
        return port is < 0 or > 65535
            ? throw new InvalidOptionException("--metrics-port", port.ToString(CultureInfo.InvariantCulture), "must be a port in [0, 65535] (0 picks a free one)")
            : port;
    }

    /// <summary>--runs-dir, which must name a directory.</summary>
    public static string ReadRunsDirectory(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string runs = result.ValueOrDeclaredDefault(RunsDirectory);
        return runs.Length == 0 ? throw new InvalidOptionException("--runs-dir", "''", "must name a directory (default: runs)") : runs;
    }

    /// <summary>The --run option, which the command needs; <paramref name="verb"/> says what for.</summary>
    public static string ReadRun(ParseResult result, string verb)
    {
        ArgumentNullException.ThrowIfNull(result);
        string run = result.GetValue(Run) ?? throw new InvalidOptionException("--run", "(missing)", $"name the run to {verb} (see `pcn status`)");
        RunIds.Validate(run, "--run");
        return run;
    }

    /// <summary>
    /// The option's value, or its declared default where the command does not have the option at all (`pcn sweep`
    /// reads `pcn train`'s options, with its own lists in place of the axes it varies).
    /// </summary>
    public static T ValueOrDeclaredDefault<T>(this ParseResult result, Option<T> option)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(option);
        return result.GetResult(option) is null && option.HasDefaultValue ? (T)option.GetDefaultValue()! : result.GetValue(option)!;
    }
}
