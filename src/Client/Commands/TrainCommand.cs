using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>`pcn train`: starts a run, shows progress, writes the results file and a summary; Ctrl-C cancels cleanly.</summary>
public static class TrainCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken stop, StartupTimings.Clock? startup = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        startup ??= new StartupTimings.Clock();
        TrainSettings settings = TrainSettings.Parse(new ArgumentReader(args, TrainSettings.Flags));
        settings.RequireWritableRunsDirectory();
        settings.RefuseExistingResults();
        RunRequest request = settings.Request;
        await using ClusterConnection connection = settings.Cluster is null
            ? await ClusterConnection.StartEmbeddedAsync(settings.MetricsPort, settings.Backend, request.Data, CancellationToken.None)
            : await ClusterConnection.ConnectAsync(settings.Cluster, "pcn", "pcn", CancellationToken.None);
        output.WriteLine($"pcn: run {request.RunId} on the {connection.Description}");
        output.WriteLine(connection.HttpAddress is null
            ? "pcn: metrics are served on /metrics of every silo of the cluster (see dashboards/ for Prometheus and Grafana)"
            : $"pcn: metrics at {connection.HttpAddress}/metrics, health at {connection.HttpAddress}/health");
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        startup.RunRequested();
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
        output.WriteLine($"pcn: {request.Network.LayerCount} layer grains on {string.Join(", ", DescribePlacement(placement))}; {snapshot.TotalBatches} batches of {request.Training.BatchSize}");

        var summaries = new List<BatchSummary>(snapshot.Summaries);
        var progress = new ProgressPrinter(output, !Console.IsOutputRedirected && !settings.Quiet);
        DateTime lastSave = DateTime.UtcNow;
        bool cancelSent = false;
        string path = string.Empty;
        while (!snapshot.IsFinished)
        {
            if (stop.IsCancellationRequested && !cancelSent)
            {
                cancelSent = true;
                output.WriteLine();
                output.WriteLine("pcn: stopping after the current batch (Ctrl-C again to quit at once)…");
                await coordinator.CancelAsync();
            }

            await Task.Delay(PollInterval, CancellationToken.None);
            snapshot = await coordinator.GetSnapshotAsync(summaries.Count == 0 ? 0 : summaries[^1].Batch);
            summaries.AddRange(snapshot.Summaries);
            if (!settings.Quiet)
            {
                progress.Update(snapshot, summaries.Count > 0 ? summaries[^1] : null);
            }

            if (DateTime.UtcNow - lastSave > SaveInterval)
            {
                path = RunResults.Write(settings.RunsDirectory, snapshot, summaries, placement, connection.Description, Startup(snapshot));
                lastSave = DateTime.UtcNow;
            }
        }

        progress.Finish();
        path = RunResults.Write(settings.RunsDirectory, snapshot, summaries, placement, connection.Description, Startup(snapshot));
        SummaryTable.Write(output, snapshot, summaries, Path.GetFullPath(path), Startup(snapshot));
        StartupTimings? Startup(RunSnapshot s) => s.Batches > 0 || s.IsFinished ? startup.Complete(s.Timings.SetupSeconds) : null;

        return snapshot.State switch
        {
            RunState.Completed => 0,
            RunState.Cancelled => 130,
            RunState.Diverged => 3,
            _ => 1,
        };
    }

    /// <summary>"layers 1–5 on 127.0.0.1:11111" per contiguous block.</summary>
    private static IEnumerable<string> DescribePlacement(IReadOnlyList<string> silos)
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
