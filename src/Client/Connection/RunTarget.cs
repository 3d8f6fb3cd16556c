using Pcn.Client.CommandLine;

namespace Pcn.Client.Connection;

/// <summary>
/// Where the commands that act on existing runs (status, eval, drop, results, attach, export) find them: a cluster's
/// gateways (--cluster), or, without one, an embedded silo over the runs directory (--runs-dir, default "runs"),
/// where `pcn train` without --cluster keeps its runs.
/// </summary>
/// <param name="Cluster">The gateways, or null for the embedded silo.</param>
/// <param name="RunsDirectory">The runs directory (results files; the embedded silo's store).</param>
internal sealed record RunTarget(string? Cluster, string RunsDirectory)
{
    /// <summary>Reads --cluster and --runs-dir.</summary>
    public static RunTarget Read(ArgumentReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new RunTarget(CommonOptions.Cluster(reader), CommonOptions.RunsDirectory(reader));
    }

    /// <summary>
    /// Connects to the cluster, or starts the embedded silo over the runs directory (checked writable first: the silo
    /// keeps its store there, and results files go there).
    /// </summary>
    public Task<ClusterConnection> ConnectAsync()
    {
        Output.OutputDirectory.RequireWritable(RunsDirectory, "--runs-dir");
        return Cluster is null
            ? ClusterConnection.StartEmbeddedAsync(0, "cpu", null, RunsDirectory, CancellationToken.None)
            : ClusterConnection.ConnectAsync(Cluster, "pcn", "pcn", CancellationToken.None);
    }
}
