using System.Globalization;
using Pcn.Abstractions.Options;
using Pcn.Client.Connection;

namespace Pcn.Client.CommandLine;

/// <summary>Options several commands share, read and checked the same way everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>--cluster host:port[,...], checked, or null for the embedded silo.</summary>
    public static string? Cluster(ArgumentReader args)
    {
        string? cluster = args.OptionalString("--cluster");
        if (cluster is not null)
        {
            ClusterAddress.Parse(cluster);
        }

        return cluster;
    }

    /// <summary>--metrics-port of the embedded silo (0 picks a free one).</summary>
    public static int MetricsPort(ArgumentReader args)
    {
        int port = args.Count("--metrics-port", 0);
        return port is < 0 or > 65535
            ? throw new InvalidOptionException("--metrics-port", port.ToString(CultureInfo.InvariantCulture), "must be a port in [0, 65535] (0 picks a free one)")
            : port;
    }

    /// <summary>--runs-dir (default "runs"), which must name a directory.</summary>
    public static string RunsDirectory(ArgumentReader args)
    {
        string runs = args.Text("--runs-dir", "runs");
        return runs.Length == 0 ? throw new InvalidOptionException("--runs-dir", "''", "must name a directory (default: runs)") : runs;
    }
}
