using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Runs;

/// <summary>
/// Follows one run through its coordinator until it ends — for `pcn train`, `pcn attach`, each point of `pcn sweep`
/// and the cluster tests. Each poll asks for the summaries after the newest one held and adds them; a run that went
/// back to a checkpoint trains those batches again, so the summaries after the snapshot's batch count are replaced.
/// It reports the run's new events, forwards a stop request to the run once, and rides out a lost gateway or
/// coordinator (the client's other gateways carry its calls, and a coordinator whose silo died comes back from
/// storage) until <see cref="ContactTimeout"/> passes without an answer. Showing any of it is the caller's.
/// </summary>
/// <param name="coordinator">The run's coordinator.</param>
/// <param name="first">The snapshot the run was started, resumed or found with.</param>
/// <param name="pollInterval">The time between polls in <see cref="WatchAsync"/>.</param>
/// <param name="deadline">How long <see cref="WatchAsync"/> waits for the run's end before a <see cref="TimeoutException"/>; null: no limit.</param>
/// <param name="time">The clock (tests give their own).</param>
public sealed class RunWatcher(ITrainingCoordinatorGrain coordinator, RunSnapshot first, TimeSpan pollInterval, TimeSpan? deadline = null, TimeProvider? time = null)
{
    /// <summary>How long a run may be unreachable before the watcher gives up on it.</summary>
    public static readonly TimeSpan ContactTimeout = TimeSpan.FromMinutes(3);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly List<BatchSummary> _summaries = [.. first?.Summaries ?? throw new ArgumentNullException(nameof(first))];
    private readonly DateTimeOffset? _deadline = deadline is null ? null : (time ?? TimeProvider.System).GetUtcNow() + deadline;
    private int _eventsReported = first.Events.Count;
    private DateTimeOffset _lastContact = (time ?? TimeProvider.System).GetUtcNow();
    private bool _contactLost;
    private bool _cancelSent;

    /// <summary>The newest snapshot.</summary>
    public RunSnapshot Snapshot { get; private set; } = first;

    /// <summary>Every batch summary of the run so far, in batch order.</summary>
    public IReadOnlyList<BatchSummary> Summaries => _summaries;

    /// <summary>
    /// Asks the coordinator once for the run's state and merges what it answers. A <paramref name="stop"/> that has
    /// been requested is forwarded to the run (once): it stops after its current batch, as cancelled.
    /// </summary>
    /// <exception cref="RunContactLostException">The run has not answered for <see cref="ContactTimeout"/>.</exception>
    /// <exception cref="TimeoutException">The deadline passed before the run ended.</exception>
    public async Task<RunWatchStep> PollAsync(CancellationToken stop = default)
    {
        if (_deadline is DateTimeOffset end && _time.GetUtcNow() > end)
        {
            throw new TimeoutException($"Run {Snapshot.Request.RunId} did not finish within {deadline} ({Snapshot.Batches}/{Snapshot.TotalBatches} batches).");
        }

        bool cancelSent = false;
        RunSnapshot snapshot;
        try
        {
            if (stop.IsCancellationRequested && !_cancelSent)
            {
                await coordinator.CancelAsync();
                _cancelSent = cancelSent = true;
            }

            snapshot = await coordinator.GetSnapshotAsync(_summaries.Count == 0 ? 0 : _summaries[^1].Batch);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            if (_time.GetUtcNow() - _lastContact > ContactTimeout)
            {
                throw new RunContactLostException(Snapshot.Request.RunId, ContactTimeout, e);
            }

            RunContact lost = _contactLost ? RunContact.StillLost : RunContact.Lost;
            _contactLost = true;
            return new RunWatchStep(Snapshot, [], lost, e, cancelSent);
        }

        _lastContact = _time.GetUtcNow();
        RunContact contact = _contactLost ? RunContact.Regained : RunContact.Kept;
        _contactLost = false;
        Merge(snapshot);
        RunEvent[] events = [.. snapshot.Events.Skip(_eventsReported)];
        _eventsReported = Math.Max(_eventsReported, snapshot.Events.Count);
        return new RunWatchStep(snapshot, events, contact, null, cancelSent);
    }

    /// <summary>
    /// Polls every poll interval until the run ends, handing each poll to <paramref name="onStep"/>; returns the final
    /// snapshot and every summary.
    /// </summary>
    public async Task<(RunSnapshot Final, IReadOnlyList<BatchSummary> Summaries)> WatchAsync(Func<RunWatchStep, Task>? onStep = null, CancellationToken stop = default)
    {
        while (!Snapshot.IsFinished)
        {
            await Task.Delay(pollInterval, _time, CancellationToken.None);
            RunWatchStep step = await PollAsync(stop);
            if (onStep is not null)
            {
                await onStep(step);
            }
        }

        return (Snapshot, Summaries);
    }

    private void Merge(RunSnapshot snapshot)
    {
        if (_summaries.Count > 0 && snapshot.Batches < _summaries[^1].Batch)
        {
            _summaries.RemoveAll(s => s.Batch > snapshot.Batches);
        }

        int newest = _summaries.Count == 0 ? 0 : _summaries[^1].Batch;
        _summaries.AddRange(snapshot.Summaries.Where(s => s.Batch > newest));
        Snapshot = snapshot;
    }
}
