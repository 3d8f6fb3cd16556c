using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// Follows a run in the cluster until it ends, for `pcn train`, `pcn train --resume` and `pcn attach`: shows progress
/// and the run's events (a lost silo, a resume), saves results.json every few seconds, forwards the first Ctrl-C as a
/// cancel, and rides out a lost gateway or coordinator: the client's other gateways carry its calls, and a coordinator
/// whose silo died comes back from storage, so the follower retries until <see cref="ContactTimeout"/> without an answer.
/// </summary>
internal sealed class RunFollower(ITrainingCoordinatorGrain coordinator, IReadOnlyList<string> placement, TextWriter output, bool quiet, string runsDirectory, string connection)
{
    /// <summary>How long the follower keeps retrying a run it cannot reach before it gives up (the run goes on in the cluster).</summary>
    public static readonly TimeSpan ContactTimeout = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(10);

    /// <summary>Every batch summary received, in order.</summary>
    public List<BatchSummary> Summaries { get; } = [];

    /// <summary>Where each layer runs (refreshed after a resume).</summary>
    public IReadOnlyList<string> Placement { get; private set; } = placement;

    /// <summary>Follows from <paramref name="snapshot"/> to the run's end; returns the final snapshot.</summary>
    public async Task<RunSnapshot> FollowAsync(RunSnapshot snapshot, CancellationToken stop, Func<RunSnapshot, StartupTimings?>? startup = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Summaries.AddRange(snapshot.Summaries);
        var progress = new ProgressPrinter(output, !Console.IsOutputRedirected && !quiet);
        int eventsShown = snapshot.Events.Count;
        DateTime lastSave = DateTime.UtcNow, lastContact = DateTime.UtcNow;
        bool cancelSent = false, contactLost = false;
        while (!snapshot.IsFinished)
        {
            await Task.Delay(PollInterval, CancellationToken.None);
            try
            {
                if (stop.IsCancellationRequested && !cancelSent)
                {
                    output.WriteLine();
                    output.WriteLine("pcn: stopping after the current batch (Ctrl-C again to quit at once)…");
                    await coordinator.CancelAsync();
                    cancelSent = true;
                }

                int after = Summaries.Count == 0 ? 0 : Summaries[^1].Batch;
                snapshot = await coordinator.GetSnapshotAsync(after);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                if (DateTime.UtcNow - lastContact > ContactTimeout)
                {
                    throw new InvalidOperationException($"Lost contact with run '{snapshot.Request.RunId}' for {ContactTimeout.TotalMinutes:0} minutes ({e.Message}); it goes on in the cluster if the cluster does: follow it with `pcn attach --run {snapshot.Request.RunId}`.", e);
                }

                if (!contactLost)
                {
                    output.WriteLine();
                    output.WriteLine($"pcn: lost contact with the run ({e.GetType().Name}: {FirstLine(e.Message)}); retrying through the cluster's other gateways…");
                    contactLost = true;
                }

                continue;
            }

            lastContact = DateTime.UtcNow;
            if (contactLost)
            {
                output.WriteLine("pcn: in contact with the run again");
                contactLost = false;
            }

            // A run that went back to a checkpoint trains those batches again: the summaries after it are replaced.
            int last = Summaries.Count == 0 ? 0 : Summaries[^1].Batch;
            if (snapshot.Batches < last)
            {
                Summaries.RemoveAll(s => s.Batch > snapshot.Batches);
            }

            int newest = Summaries.Count == 0 ? 0 : Summaries[^1].Batch;
            Summaries.AddRange(snapshot.Summaries.Where(s => s.Batch > newest));
            if (snapshot.Events.Count > eventsShown)
            {
                output.WriteLine();
                foreach (RunEvent e in snapshot.Events.Skip(eventsShown))
                {
                    output.WriteLine($"pcn: {e.Kind} at batch {e.Batch}: {e.Message}");
                }

                eventsShown = snapshot.Events.Count;
                Placement = await TryPlacementAsync() ?? Placement;
            }

            if (!quiet)
            {
                progress.Update(snapshot, Summaries.Count > 0 ? Summaries[^1] : null);
            }

            if (DateTime.UtcNow - lastSave > SaveInterval)
            {
                RunResults.Write(runsDirectory, snapshot, Summaries, Placement, connection, startup?.Invoke(snapshot));
                lastSave = DateTime.UtcNow;
            }
        }

        progress.Finish();
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

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

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
