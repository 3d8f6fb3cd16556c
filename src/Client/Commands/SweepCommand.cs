using System.CommandLine;
using System.Globalization;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Runs;
using Pcn.Client.Connection;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn sweep`: runs every point of a grid, several at once in one cluster (or an embedded silo), writing each point's
/// results file and the sweep's table (CSV and JSON) as points finish. Resumable: a point whose results file shows a
/// finished run (completed, diverged or failed) is not run again. Ctrl-C cancels the running points; they run again
/// next time.
/// </summary>
public static class SweepCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("sweep", "a grid of runs: the axes take comma-separated lists, K points run at once; resumable; the table goes to DIR/results.csv and results.json (DIR: sweeps/{name})");
        foreach (Option option in SweepGrid.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, stop) => RunAsync(SweepGrid.Parse(result), result.InvocationConfiguration.Output, stop));
        return command;
    }

    /// <summary>Runs the grid; returns the process exit code (0 when every point finished).</summary>
    private static async Task<int> RunAsync(SweepGrid grid, TextWriter output, CancellationToken stop)
    {
        string runs = Path.Combine(grid.Directory, "runs");
        OutputDirectory.RequireWritable(grid.Directory, "--sweep-dir");
        Directory.CreateDirectory(runs);
        var rows = new Dictionary<string, SweepRow>(StringComparer.Ordinal);
        var pending = new Queue<RunRequest>();
        foreach (RunRequest point in grid.Points)
        {
            string path = Path.Combine(runs, point.RunId, "results.json");
            SweepRow? done = File.Exists(path) ? ReadDone(path) : null;
            if (done is { IsFinished: true })
            {
                rows[point.RunId] = done;
            }
            else
            {
                pending.Enqueue(point);
            }
        }

        output.WriteLine($"pcn sweep {grid.Name}: {grid.Points.Count} points, {rows.Count} already finished, {pending.Count} to run, {grid.Parallel} at a time; table in {Path.GetFullPath(grid.Directory)}");
        if (pending.Count > 0)
        {
            await using ClusterConnection connection = grid.Cluster is null
                ? await ClusterConnection.StartEmbeddedAsync(0, grid.Backend, pending.Peek().Data, runs, CancellationToken.None)
                : await ClusterConnection.ConnectAsync(grid.Cluster, CancellationToken.None);
            output.WriteLine($"pcn sweep: on the {connection.Description}");
            await DriveAsync(connection, grid, pending, rows, runs, output, stop);
        }

        string table = SweepTable.Write(grid.Directory, rows.Values);
        output.WriteLine($"pcn sweep: {rows.Count}/{grid.Points.Count} points finished; table {Path.GetFullPath(table)}");
        return rows.Count == grid.Points.Count ? 0 : (stop.IsCancellationRequested ? 130 : 1);
    }

    /// <summary>
    /// Starts a point, or — when the cluster (or the sweep's embedded store) still holds it from an interrupted sweep —
    /// continues it from its last checkpoint rather than from zero.
    /// </summary>
    private static async Task<RunSnapshot> StartOrResumeAsync(ITrainingCoordinatorGrain coordinator, RunRequest point)
    {
        RunSnapshot existing;
        try
        {
            existing = await coordinator.GetSnapshotAsync(int.MaxValue);
        }
        catch (InvalidOperationException)
        {
            return await coordinator.StartAsync(point);
        }

        return existing.State is RunState.Cancelled or RunState.Failed ? await coordinator.ResumeAsync() : await coordinator.GetSnapshotAsync(0);
    }

    /// <summary>
    /// A point's earlier results, or null when the file cannot be read back (a crash or a full disk while it was
    /// written): such a point is not done, and runs again, which replaces the file. Said on stderr, with the file named,
    /// so that a rerun is not a surprise.
    /// </summary>
    private static SweepRow? ReadDone(string path)
    {
        try
        {
            return SweepRow.FromResults(path);
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"pcn sweep: warning: {e.Message}; the point runs again");
            return null;
        }
    }

    /// <summary>Runs the pending points, <see cref="SweepGrid.Parallel"/> at a time, each followed by its own watcher.</summary>
    private static async Task DriveAsync(ClusterConnection connection, SweepGrid grid, Queue<RunRequest> pending, Dictionary<string, SweepRow> rows, string runs, TextWriter output, CancellationToken stop)
    {
        var active = new Dictionary<string, (ITrainingCoordinatorGrain Coordinator, RunWatcher Watcher, IReadOnlyList<string> Placement)>(StringComparer.Ordinal);
        bool cancelling = false;
        while (pending.Count > 0 || active.Count > 0)
        {
            while (!stop.IsCancellationRequested && active.Count < grid.Parallel && pending.TryDequeue(out RunRequest? point))
            {
                ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(point.RunId);
                RunSnapshot first = await StartOrResumeAsync(coordinator, point);
                active[point.RunId] = (coordinator, new RunWatcher(coordinator, first, PollInterval), await coordinator.GetPlacementAsync());
                output.WriteLine(first.Batches > 0 || first.CheckpointBatch > 0 ? $"  resumed  {point.RunId} from the checkpoint after batch {first.CheckpointBatch}" : $"  started  {point.RunId}");
            }

            if (stop.IsCancellationRequested && !cancelling)
            {
                // Each watcher forwards the stop to its point on its next poll.
                cancelling = true;
                pending.Clear();
                output.WriteLine("pcn sweep: cancelling the running points (they run again next time)…");
            }

            await Task.Delay(PollInterval, CancellationToken.None);
            foreach ((string id, (ITrainingCoordinatorGrain coordinator, RunWatcher watcher, IReadOnlyList<string> placement)) in active.ToArray())
            {
                RunSnapshot snapshot = (await watcher.PollAsync(stop)).Snapshot;
                if (!snapshot.IsFinished)
                {
                    continue;
                }

                string path = RunResults.Write(runs, snapshot, watcher.Summaries, placement, connection.Description);

                // A cancelled point keeps its record and checkpoints: the next `pcn sweep` resumes it from there.
                if (snapshot.State != RunState.Cancelled)
                {
                    await coordinator.DropAsync(keepCheckpoints: false);
                }

                active.Remove(id);
                SweepRow row = SweepRow.FromResults(path);
                if (row.IsFinished)
                {
                    rows[id] = row;
                    SweepTable.Write(grid.Directory, rows.Values);
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{rows.Count}/{grid.Points.Count}] {row.State,-9} {id}  accuracy {(row.FinalAccuracy is double a ? $"{a:F2}%" : "-")}  {row.Seconds:F1} s{(row.Failure is null ? string.Empty : "  " + row.Failure)}"));
            }
        }
    }
}
