using System.CommandLine;
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
    /// <summary>`pcn results`.</summary>
    public static Command CreateResults()
    {
        Command command = RunCommand.Create("results", "write the run's results.json (any state) from the history the cluster keeps");
        command.SetAction(ResultsAsync);
        return command;
    }

    /// <summary>`pcn attach`.</summary>
    public static Command CreateAttach()
    {
        Command command = RunCommand.Create("attach", "follow a running run to its end (as pcn train does); writes its results.json", CommonOptions.Quiet);
        command.SetAction(AttachAsync);
        return command;
    }

    private static async Task<int> ResultsAsync(ParseResult result)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        RunTarget target = RunTarget.Read(result);
        string run = CommonOptions.ReadRun(result, "write the results of");
        await using ClusterConnection connection = await target.ConnectAsync();
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run);
        RunSnapshot snapshot = await coordinator.GetSnapshotAsync(0);
        IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
        string path = RunResults.Write(target.RunsDirectory, snapshot, snapshot.Summaries, placement, connection.Description);
        output.WriteLine($"{run}: {snapshot.State.ToString().ToLowerInvariant()}, {snapshot.Batches}/{snapshot.TotalBatches} batches, {snapshot.Events.Count} events; wrote {Path.GetFullPath(path)}");
        return 0;
    }

    /// <summary>Returns the exit code of the run's end, as `pcn train` would.</summary>
    private static async Task<int> AttachAsync(ParseResult result, CancellationToken stop)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        RunTarget target = RunTarget.Read(result);
        string run = CommonOptions.ReadRun(result, "attach to");
        bool quiet = result.GetValue(CommonOptions.Quiet);
        await using ClusterConnection connection = await target.ConnectAsync();
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run);
        RunSnapshot snapshot = await coordinator.GetSnapshotAsync(0);
        output.WriteLine($"pcn: following run {run} ({snapshot.State.ToString().ToLowerInvariant()}, {snapshot.Batches}/{snapshot.TotalBatches} batches) on the {connection.Description}");
        return await TrainCommand.FollowAsync(coordinator, snapshot, connection, target.RunsDirectory, quiet, output, stop);
    }
}
