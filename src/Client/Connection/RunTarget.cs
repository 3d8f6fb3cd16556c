using System.CommandLine;
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
    /// <summary>The options that say where the runs are.</summary>
    public static IReadOnlyList<Option> Options { get; } = [CommonOptions.Cluster, CommonOptions.RunsDirectory];

    /// <summary>Reads --cluster and --runs-dir.</summary>
    public static RunTarget Read(ParseResult result) => new(CommonOptions.ReadCluster(result), CommonOptions.ReadRunsDirectory(result));

    /// <summary>Whether there is anything to open: a cluster, or a runs directory where `pcn train` has kept runs.</summary>
    public bool HasRuns => Cluster is not null || Directory.Exists(Path.Combine(RunsDirectory, ClusterConnection.StateDirectoryName));

    /// <summary>What to tell a user whose runs directory holds no runs.</summary>
    public string NoRunsMessage => $"There are no runs in {Path.GetFullPath(RunsDirectory)} (`pcn train` without --cluster keeps its runs there; give --runs-dir for another directory, or --cluster host:port for a cluster's runs).";

    /// <summary>
    /// Connects to the cluster, or starts the embedded silo over the runs directory (checked writable first: the silo
    /// keeps its store there, and results files go there). A runs directory that holds no runs is an error, before
    /// any silo starts.
    /// </summary>
    public Task<ClusterConnection> ConnectAsync()
    {
        if (!HasRuns)
        {
            throw new InvalidOperationException(NoRunsMessage);
        }

        Output.OutputDirectory.RequireWritable(RunsDirectory, "--runs-dir");
        return Cluster is null
            ? ClusterConnection.StartEmbeddedAsync(0, "cpu", null, RunsDirectory, CancellationToken.None)
            : ClusterConnection.ConnectAsync(Cluster, CancellationToken.None);
    }
}
