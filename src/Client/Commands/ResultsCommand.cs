using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn results --run ID` writes the results.json of any run the cluster knows (training, finished or failed) from the
/// history the cluster keeps; `pcn attach --run ID` follows a running run to its end as `pcn train` does.
/// </summary>
public static class ResultsCommand
{
    /// <summary>`pcn results`; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>());
        RunTarget target = RunTarget.Read(reader);
        string run = RunCommand.RequireRun(reader, "write the results of");
        reader.RejectUnknown("results");
        await using ClusterConnection connection = await target.ConnectAsync();
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run);
        RunSnapshot snapshot = await coordinator.GetSnapshotAsync(0);
        IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
        string path = RunResults.Write(target.RunsDirectory, snapshot, snapshot.Summaries, placement, connection.Description);
        output.WriteLine($"{run}: {snapshot.State.ToString().ToLowerInvariant()}, {snapshot.Batches}/{snapshot.TotalBatches} batches, {snapshot.Events.Count} events; wrote {Path.GetFullPath(path)}");
        return 0;
    }

    /// <summary>`pcn attach`; returns the exit code of the run's end, as `pcn train` would.</summary>
    public static async Task<int> AttachAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>(StringComparer.Ordinal) { "--quiet" });
        RunTarget target = RunTarget.Read(reader);
        string run = RunCommand.RequireRun(reader, "attach to");
        bool quiet = reader.Flag("--quiet");
        reader.RejectUnknown("attach");
        await using ClusterConnection connection = await target.ConnectAsync();
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run);
        RunSnapshot snapshot = await coordinator.GetSnapshotAsync(0);
        output.WriteLine($"pcn: following run {run} ({snapshot.State.ToString().ToLowerInvariant()}, {snapshot.Batches}/{snapshot.TotalBatches} batches) on the {connection.Description}");
        return await TrainCommand.FollowAsync(coordinator, snapshot, connection, target.RunsDirectory, quiet, output, stop);
    }
}
