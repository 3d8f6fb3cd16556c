using System.CommandLine;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Client.Connection;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn train`: starts a run (or with --resume continues one from its last checkpoint), shows progress, writes the
/// results file and a summary; Ctrl-C cancels cleanly.
/// </summary>
public static class TrainCommand
{
    /// <summary>The command, which times its start-up with <paramref name="startup"/> (started with the process).</summary>
    public static Command Create(StartupTimings.Clock startup)
    {
        var command = new Command("train", "train a network; without --cluster it hosts a silo in this process. Ctrl-C stops the run cleanly (state cancelled, results kept); results: {runs-dir}/{run-id}/results.json");
        foreach (Option option in TrainOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, stop) => RunAsync(result, result.InvocationConfiguration.Output, startup, stop));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, TextWriter output, StartupTimings.Clock startup, CancellationToken stop)
    {
        if (result.GetResult(TrainOptions.Resume) is not null)
        {
            return await ResumeAsync(ResumeSettings.Parse(result), output, stop);
        }

        TrainSettings settings = TrainSettings.Parse(result);
        settings.RequireWritableRunsDirectory();
        settings.RefuseExistingResults();
        RunRequest request = settings.Request;
        await using ClusterConnection connection = settings.Cluster is null
            ? await ClusterConnection.StartEmbeddedAsync(settings.MetricsPort, settings.Backend, request.Data, settings.RunsDirectory, CancellationToken.None)
            : await ClusterConnection.ConnectAsync(settings.Cluster, CancellationToken.None);
        output.WriteLine($"pcn: run {request.RunId} on the {connection.Description}");
        output.WriteLine(connection.HttpAddress is null
            ? "pcn: metrics are served on /metrics of every silo of the cluster (see dashboards/ for Prometheus and Grafana)"
            : $"pcn: metrics at {connection.HttpAddress}/metrics, health at {connection.HttpAddress}/health");
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        startup.RunRequested();
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        return await FollowAsync(coordinator, snapshot, connection, settings.RunsDirectory, settings.Quiet, output, stop, s => s.Batches > 0 || s.IsFinished ? startup.Complete(s.Timings.SetupSeconds) : null);
    }

    /// <summary>Follows a run to its end, then writes results.json and the summary table.</summary>
    internal static async Task<int> FollowAsync(ITrainingCoordinatorGrain coordinator, RunSnapshot snapshot, ClusterConnection connection, string runsDirectory, bool quiet, TextWriter output, CancellationToken stop, Func<RunSnapshot, StartupTimings?>? startup = null)
    {
        IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
        var follower = new RunFollower(coordinator, placement, output, quiet, runsDirectory, connection.Description);
        output.WriteLine($"pcn: {snapshot.Request.Network.LayerCount} layer grains on {string.Join(", ", DescribePlacement(placement))}; {snapshot.TotalBatches} batches of {snapshot.Request.Training.BatchSize}");
        snapshot = await follower.FollowAsync(snapshot, stop, startup);
        string path = RunResults.Write(runsDirectory, snapshot, follower.Summaries, follower.Placement, connection.Description, startup?.Invoke(snapshot));
        if (RunConsole.Live is { } console)
        {
            SummaryTable.Render(console, snapshot, follower.Summaries, Path.GetFullPath(path), startup?.Invoke(snapshot));
        }
        else
        {
            SummaryTable.Write(output, snapshot, follower.Summaries, Path.GetFullPath(path), startup?.Invoke(snapshot));
        }
        return RunFollower.ExitCode(snapshot.State);
    }

    /// <summary>`pcn train --resume ID`: the run continues from its last checkpoint; progress as for a new run.</summary>
    private static async Task<int> ResumeAsync(ResumeSettings settings, TextWriter output, CancellationToken stop)
    {
        var target = new RunTarget(settings.Cluster, settings.RunsDirectory);
        if (!target.HasRuns)
        {
            throw new InvalidOperationException(target.NoRunsMessage);
        }

        await using ClusterConnection connection = settings.Cluster is null
            ? await ClusterConnection.StartEmbeddedAsync(settings.MetricsPort, settings.Backend, null, settings.RunsDirectory, CancellationToken.None)
            : await ClusterConnection.ConnectAsync(settings.Cluster, CancellationToken.None);
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(settings.RunId);
        RunSnapshot snapshot = await coordinator.ResumeAsync();
        output.WriteLine($"pcn: run {settings.RunId} resumes on the {connection.Description} from {(snapshot.CheckpointBatch > 0 ? $"the checkpoint after batch {snapshot.CheckpointBatch}" : "its start (it had no checkpoint)")}");
        return await FollowAsync(coordinator, snapshot, connection, settings.RunsDirectory, settings.Quiet, output, stop);
    }

    /// <summary>"layers 1–5 on 127.0.0.1:11111" per contiguous block.</summary>
    internal static IEnumerable<string> DescribePlacement(IReadOnlyList<string> silos)
    {
        int start = 0;
        for (int i = 1; i <= silos.Count; i++)
        {
            if (i == silos.Count || silos[i] != silos[start])
            {
                yield return start == i - 1 ? $"layer {start + 1} on {silos[start]}" : $"layers {start + 1}–{i} on {silos[start]}";
                start = i;
            }
        }
    }
}
