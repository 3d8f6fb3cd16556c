using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Runs;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// Follows a run in the cluster until it ends, for `pcn train`, `pcn train --resume` and `pcn attach`: watches it with
/// a <see cref="RunWatcher"/> (which forwards the first Ctrl-C as a cancel and rides out a lost gateway or
/// coordinator), shows its progress and events, and saves results.json every few seconds.
/// </summary>
internal sealed class RunFollower(ITrainingCoordinatorGrain coordinator, IReadOnlyList<string> placement, TextWriter output, bool quiet, string runsDirectory, string connection)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Every batch summary received, in order.</summary>
    public IReadOnlyList<BatchSummary> Summaries { get; private set; } = [];

    /// <summary>Where each layer runs (refreshed after a resume).</summary>
    public IReadOnlyList<string> Placement { get; private set; } = placement;

    /// <summary>Follows from <paramref name="snapshot"/> to the run's end; returns the final snapshot.</summary>
    public async Task<RunSnapshot> FollowAsync(RunSnapshot snapshot, CancellationToken stop, Func<RunSnapshot, StartupTimings?>? startup = null)
    {
        var watcher = new RunWatcher(coordinator, snapshot, PollInterval);
        IRunDisplay display = RunConsole.Display(output, quiet);
        DateTime lastSave = DateTime.UtcNow;
        async Task ShowAsync(RunWatchStep step)
        {
            if (step.CancelSent)
            {
                display.Notice("pcn: stopping after the current batch (Ctrl-C again to quit at once)…");
            }

            if (step.Contact == RunContact.Lost)
            {
                display.Notice($"pcn: lost contact with the run ({step.Failure!.GetType().Name}: {step.Failure.Message.Split('\n', 2)[0].Trim()}); retrying through the cluster's other gateways…");
            }

            if (!step.Reached)
            {
                return;
            }

            if (step.Contact == RunContact.Regained)
            {
                display.Line("pcn: in contact with the run again");
            }

            if (step.NewEvents.Count > 0)
            {
                display.Notice([.. step.NewEvents.Select(e => $"pcn: {e.Kind} at batch {e.Batch}: {e.Message}")]);
                Placement = await TryPlacementAsync() ?? Placement;
            }

            if (!quiet)
            {
                display.Update(step.Snapshot, watcher.Summaries.Count > 0 ? watcher.Summaries[^1] : null);
            }

            if (DateTime.UtcNow - lastSave > SaveInterval)
            {
                RunResults.Write(runsDirectory, step.Snapshot, watcher.Summaries, Placement, connection, startup?.Invoke(step.Snapshot));
                lastSave = DateTime.UtcNow;
            }
        }

        await display.ShowAsync(async () => (snapshot, Summaries) = await watcher.WatchAsync(ShowAsync, stop));
        Placement = await TryPlacementAsync() ?? Placement;
        return snapshot;
    }

    /// <summary>The process exit code for a run that ended in <paramref name="state"/>.</summary>
    public static int ExitCode(RunState state) => state switch
    {
        RunState.Completed => 0,
        RunState.Cancelled => 130,
        RunState.Diverged => 3,
        _ => 1,
    };

    private async Task<IReadOnlyList<string>?> TryPlacementAsync()
    {
        try
        {
            return await coordinator.GetPlacementAsync();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return null;
        }
    }
}
