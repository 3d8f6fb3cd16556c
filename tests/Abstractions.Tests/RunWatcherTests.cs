using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Abstractions.Runs;

namespace Pcn.Abstractions.Tests;

/// <summary>
/// The one watcher of a run's progress, against a scripted coordinator: how it accumulates summaries, replaces those
/// after a checkpoint the run went back to, reports events once, forwards a stop once, rides out lost contact until
/// its timeout, and keeps a deadline. No cluster: the coordinator is a fake of our own interface.
/// </summary>
public sealed class RunWatcherTests
{
    private static readonly RunRequest Request = new("watched", new NetworkOptions(2, 8), new TrainingOptions(), DataSource.FashionMnist());

    [Fact]
    public async Task Poll_AddsTheNewSummaries_AskingForThoseAfterTheNewestHeld()
    {
        var coordinator = new ScriptedCoordinator(Snapshot(RunState.Running, 4, Summaries(3, 4)), Snapshot(RunState.Completed, 6, Summaries(5, 6)));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 2, Summaries(1, 2)), TimeSpan.Zero);

        await watcher.PollAsync();
        await watcher.PollAsync();

        Assert.Equal([2, 4], coordinator.AskedAfter);
        Assert.Equal([1, 2, 3, 4, 5, 6], watcher.Summaries.Select(s => s.Batch));
        Assert.True(watcher.Snapshot.IsFinished);
    }

    [Fact]
    public async Task Poll_AfterARewindToACheckpoint_ReplacesTheSummariesAfterIt()
    {
        // The run trained to batch 6, lost a silo, and went back to its checkpoint after batch 4: batches 5 and 6 are
        // trained again, with other losses, and only the new ones may remain.
        var coordinator = new ScriptedCoordinator(
            Snapshot(RunState.Running, 4, []),
            Snapshot(RunState.Running, 7, Summaries(5, 7, loss: 9)),
            Snapshot(RunState.Completed, 8, Summaries(8, 8, loss: 9)));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 6, Summaries(1, 6)), TimeSpan.Zero);

        await watcher.PollAsync();
        Assert.Equal([1, 2, 3, 4], watcher.Summaries.Select(s => s.Batch));

        await watcher.PollAsync();
        await watcher.PollAsync();

        Assert.Equal([6, 4, 7], coordinator.AskedAfter);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], watcher.Summaries.Select(s => s.Batch));
        Assert.All(watcher.Summaries.Where(s => s.Batch > 4), s => Assert.Equal(9, s.TrainLoss));
        Assert.All(watcher.Summaries.Where(s => s.Batch <= 4), s => Assert.Equal(1, s.TrainLoss));
    }

    [Fact]
    public async Task Poll_ReportsEachEventOnce_ExceptThoseTheFirstSnapshotHad()
    {
        RunEvent old = Event(1, "resume"), lost = Event(3, "silo-lost"), resumed = Event(3, "resume");
        var coordinator = new ScriptedCoordinator(
            Snapshot(RunState.Running, 3, [], old, lost),
            Snapshot(RunState.Running, 4, [], old, lost, resumed),
            Snapshot(RunState.Running, 5, [], old, lost, resumed));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 2, [], old), TimeSpan.Zero);

        Assert.Equal([lost], (await watcher.PollAsync()).NewEvents);
        Assert.Equal([resumed], (await watcher.PollAsync()).NewEvents);
        Assert.Empty((await watcher.PollAsync()).NewEvents);
    }

    [Fact]
    public async Task Poll_ForwardsAStopToTheRunOnce()
    {
        var coordinator = new ScriptedCoordinator(Snapshot(RunState.Running, 3, []), Snapshot(RunState.Cancelled, 3, []));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 2, []), TimeSpan.Zero);
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        RunWatchStep first = await watcher.PollAsync(stop.Token);
        RunWatchStep second = await watcher.PollAsync(stop.Token);

        Assert.True(first.CancelSent);
        Assert.False(second.CancelSent);
        Assert.Equal(1, coordinator.Cancels);
        Assert.Equal(RunState.Cancelled, watcher.Snapshot.State);
    }

    [Fact]
    public async Task Poll_RidesOutLostContact_UntilTheContactTimeout()
    {
        var clock = new ManualClock();
        var coordinator = new ScriptedCoordinator(
            new OrleansException("gateway gone"),
            new TimeoutException("no answer"),
            Snapshot(RunState.Running, 3, Summaries(3, 3)),
            new OrleansException("gateway gone again"),
            new OrleansException("still gone"));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 2, Summaries(1, 2)), TimeSpan.Zero, time: clock);

        RunWatchStep lost = await watcher.PollAsync();
        RunWatchStep stillLost = await watcher.PollAsync();
        RunWatchStep regained = await watcher.PollAsync();
        await watcher.PollAsync();
        clock.Advance(RunWatcher.ContactTimeout + TimeSpan.FromSeconds(1));
        var gaveUp = await Assert.ThrowsAsync<RunContactLostException>(() => watcher.PollAsync());

        Assert.Equal((RunContact.Lost, false), (lost.Contact, lost.Reached));
        Assert.IsType<OrleansException>(lost.Failure);
        Assert.Equal(2, lost.Snapshot.Batches);
        Assert.Equal(RunContact.StillLost, stillLost.Contact);
        Assert.Equal((RunContact.Regained, true), (regained.Contact, regained.Reached));
        Assert.Equal([1, 2, 3], watcher.Summaries.Select(s => s.Batch));
        Assert.Equal("watched", gaveUp.RunId);
        Assert.Contains("pcn attach --run watched", gaveUp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ReturnsTheFinalSnapshotAndEverySummary()
    {
        var coordinator = new ScriptedCoordinator(Snapshot(RunState.Running, 3, Summaries(2, 3)), Snapshot(RunState.Completed, 4, Summaries(4, 4)));
        var steps = new List<RunWatchStep>();

        (RunSnapshot final, IReadOnlyList<BatchSummary> summaries) = await new RunWatcher(coordinator, Snapshot(RunState.Running, 1, Summaries(1, 1)), TimeSpan.Zero)
            .WatchAsync(step => { steps.Add(step); return Task.CompletedTask; });

        Assert.Equal(RunState.Completed, final.State);
        Assert.Equal([1, 2, 3, 4], summaries.Select(s => s.Batch));
        Assert.Equal(2, steps.Count);
    }

    [Fact]
    public async Task Watch_PastItsDeadline_Throws()
    {
        var clock = new ManualClock();
        var coordinator = new ScriptedCoordinator(Snapshot(RunState.Running, 3, []));
        var watcher = new RunWatcher(coordinator, Snapshot(RunState.Running, 2, []), TimeSpan.Zero, deadline: TimeSpan.FromMinutes(1), time: clock);
        await watcher.PollAsync();
        clock.Advance(TimeSpan.FromMinutes(2));

        var late = await Assert.ThrowsAsync<TimeoutException>(() => watcher.WatchAsync());

        Assert.Contains("watched did not finish", late.Message, StringComparison.Ordinal);
    }

    private static RunSnapshot Snapshot(RunState state, int batches, IReadOnlyList<BatchSummary> summaries, params RunEvent[] events) =>
        new(Request, state, batches, 8, summaries, null, batches, RunTimings.Zero, ProtocolCounts.Zero, events, 0, "127.0.0.1:11111");

    private static BatchSummary[] Summaries(int from, int to, double loss = 1) =>
        [.. Enumerable.Range(from, to - from + 1).Select(b => new BatchSummary(0, b, loss, [loss], null, b))];

    private static RunEvent Event(int batch, string kind) => new(DateTimeOffset.UnixEpoch, batch, kind, $"{kind} at {batch}");

    /// <summary>Answers each snapshot request with the next scripted snapshot, or throws the next scripted exception.</summary>
    private sealed class ScriptedCoordinator(params object[] answers) : ITrainingCoordinatorGrain
    {
        private readonly Queue<object> _answers = new(answers);

        public List<int> AskedAfter { get; } = [];

        public int Cancels { get; private set; }

        public Task<RunSnapshot> GetSnapshotAsync(int afterBatch)
        {
            AskedAfter.Add(afterBatch);
            return _answers.Dequeue() switch
            {
                RunSnapshot snapshot => Task.FromResult(snapshot),
                Exception e => Task.FromException<RunSnapshot>(e),
                var other => throw new InvalidOperationException($"unexpected script entry {other}"),
            };
        }

        public Task CancelAsync()
        {
            Cancels++;
            return Task.CompletedTask;
        }

        public Task<RunSnapshot> StartAsync(RunRequest request) => throw new NotSupportedException();

        public Task<double> EvaluateAsync() => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> GetPlacementAsync() => throw new NotSupportedException();

        public Task<RunSnapshot> ResumeAsync() => throw new NotSupportedException();

        public Task DropAsync(bool keepCheckpoints) => throw new NotSupportedException();

        public Task<TensorPayload> GetWeightsAsync(int layer) => throw new NotSupportedException();
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
