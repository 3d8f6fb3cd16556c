using Microsoft.Extensions.Logging;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Network.Checkpoints;

namespace Pcn.Grains.Coordination;

/// <summary>
/// Checkpoints and recovery. Every K batches (and at the end) the coordinator commits the last update, has every
/// layer write its weights and Adam state (layer-NNN.npz, flushed and renamed into place), writes the manifest last,
/// and then stores the run's record with the history up to that batch. When a layer is lost (its silo died) the run
/// goes back to that checkpoint: every layer is built again from its file — those of the dead silo on the survivors —
/// and the batches after it are trained again. Batch order depends only on (seed, epoch) and the checkpoint holds all
/// state that crosses batches, so the resumed run computes the same bits as one that never stopped.
/// </summary>
internal sealed partial class TrainingCoordinatorGrain
{
    /// <summary>Attempts to resume without a new checkpoint in between before the run is given up as failed.</summary>
    private const int MaxResumeAttempts = 10;

    /// <summary>
    /// How long to wait before resuming: enough for the cluster to declare a dead silo dead (its layers are then made
    /// again on the survivors); an attempt made too early fails and is retried after a longer wait.
    /// </summary>
    private static readonly TimeSpan ResumeDelay = TimeSpan.FromSeconds(2);

    private readonly System.Diagnostics.Stopwatch _sinceCheckpoint = new();
    private TimeSpan _lastCheckpointTook = TimeSpan.Zero;
    private int _checkpointBatch;
    private CheckpointPart[] _checkpointParts = [];
    private int _resumeAttempts;
    private int _totalBatches;

    /// <inheritdoc/>
    public async Task<RunSnapshot> ResumeAsync()
    {
        RequireRun();
        switch (_state)
        {
            case RunState.Running or RunState.Pending:
                return Snapshot(0);
            case RunState.Completed:
                throw new InvalidOperationException($"Run '{_request!.RunId}' has completed all {_batches} batches; there is nothing to resume.");
            case RunState.Diverged:
                throw new InvalidOperationException($"Run '{_request!.RunId}' diverged ({_failure}); resuming would diverge again. Start a new run with other settings.");
        }

        if (!_loop.IsCompleted)
        {
            throw new InvalidOperationException($"Run '{_request!.RunId}' is still ending; try again in a moment.");
        }

        _cancelRequested = false;
        _resumeAttempts = 0;
        RollBackToCheckpoint();
        AddEvent("resume", $"resumed on request from {CheckpointDescription}");
        DelayDeactivation(TimeSpan.MaxValue);
        await SetStateAsync(RunState.Running, null);
        _setupClock.Restart();
        _loop = RunAsync(fresh: false);
        return Snapshot(0);
    }

    private string CheckpointDescription => _checkpointBatch > 0 ? $"the checkpoint after batch {_checkpointBatch}" : "the start (no checkpoint yet)";

    /// <summary>Whether a checkpoint is due after this batch: every K batches, or paced by time (the default).</summary>
    private bool CheckpointDue(TrainingOptions training)
    {
        if (training.CheckpointEvery is int every)
        {
            return every > 0 && _batches % every == 0;
        }

        // (The stopwatch starts with the first batch after a checkpoint, a resume or the start.)
        _sinceCheckpoint.Start();
        double due = Math.Max(TrainingOptions.AutoCheckpointFloorSeconds, TrainingOptions.AutoCheckpointInterval * _lastCheckpointTook.TotalSeconds);
        return _sinceCheckpoint.Elapsed.TotalSeconds >= due;
    }

    /// <summary>Takes a checkpoint of the run as it stands after <see cref="_batches"/> batches.</summary>
    private async Task CheckpointAsync()
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        await FlushCommitAsync();
        string runId = _request!.RunId;
        int batch = _batches;
        string directory = CheckpointStore.DirectoryFor(checkpoints.Root, runId, batch);
        await Task.Run(() => Directory.CreateDirectory(directory));
        CheckpointPart[] parts = await Task.WhenAll(_layers.Select(l => l.SaveCheckpointAsync(directory)));
        var manifest = new CheckpointManifest(CheckpointManifest.CurrentFormat, runId, batch, parts.Length, DateTimeOffset.UtcNow, parts);
        await Task.Run(() => CheckpointStore.Complete(directory, manifest));
        _checkpointBatch = batch;
        _checkpointParts = parts;
        _resumeAttempts = 0;
        await PersistAsync();
        await Task.Run(() => CheckpointStore.Prune(checkpoints.Root, runId, checkpoints.Keep));
        _lastCheckpointTook = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        _sinceCheckpoint.Reset();
    }

    /// <summary>
    /// Builds every layer: from the last checkpoint when there is one and <paramref name="fromCheckpoint"/>, else from
    /// the seed (or the exported network the run starts from) with the run back at batch 0.
    /// </summary>
    private async Task PrepareLayersAsync(bool fromCheckpoint)
    {
        RunRequest request = _request!;
        if (_layers.Length == 0)
        {
            CreateLayerReferences();
        }

        bool restore = fromCheckpoint && _checkpointBatch > 0;
        if (restore && _checkpointParts.Length != _layers.Length)
        {
            throw new InvalidOperationException($"The checkpoint of run '{request.RunId}' after batch {_checkpointBatch} has {_checkpointParts.Length} layer files for {_layers.Length} layers.");
        }

        if (!restore)
        {
            RollBackToCheckpoint();
        }

        // A new number for this building of the layers: messages of an earlier one still in flight are dropped.
        _generation = Random.Shared.Next(1, int.MaxValue);
        await Task.WhenAll(_layers.Select((layer, i) => layer.InitializeAsync(
            new LayerSetup(request.RunId, request.Network, i + 1, restore ? _checkpointParts[i] : null, request.InitFrom, _generation, request.Training.Trains(i + 1, _layers.Length)))));
    }

    /// <summary>For a finished run: makes sure its layers hold its final weights (they come back from the last checkpoint when a silo took them away).</summary>
    private async Task EnsureLayersAsync()
    {
        if (!await LayersHoldRunAsync())
        {
            if (_checkpointBatch == 0)
            {
                throw new InvalidOperationException($"The layers of run '{_request!.RunId}' are gone (their silo went away) and it has no checkpoint to bring them back from.");
            }

            await PrepareLayersAsync(fromCheckpoint: true);
        }
    }

    /// <summary>Whether every layer is still the activation that holds the run's state.</summary>
    private async Task<bool> LayersHoldRunAsync()
    {
        if (_layers.Length == 0)
        {
            CreateLayerReferences();
        }

        try
        {
            bool[] initialized = await Task.WhenAll(_layers.Select(l => l.IsInitializedAsync()));
            return initialized.All(i => i);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>
    /// After a failure: true (having moved the run back to its last checkpoint) when the failure was a lost layer or
    /// silo and attempts are left; false when it is a genuine failure of the run, which then ends.
    /// </summary>
    private async Task<bool> ShouldResumeAsync(Exception failure, string what)
    {
        bool lost = failure is LayerLostException or OrleansException or TimeoutException || !await LayersHoldRunAsync();
        if (!lost || _resumeAttempts >= MaxResumeAttempts)
        {
            return false;
        }

        _resumeAttempts++;
        AddEvent("failure", what);
        LogResuming(_request!.RunId, what, _checkpointBatch, _resumeAttempts);
        try
        {
            await Task.WhenAll(_layers.Select(l => l.AbortAsync($"run {_request.RunId} lost a layer and goes back to its last checkpoint")));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The lost layers cannot be told; the others stop when they are built again.
        }

        RollBackToCheckpoint();
        await Task.Delay(ResumeDelay * Math.Min(_resumeAttempts, 4));
        AddEvent("resume", $"resumed from {CheckpointDescription} on the silos still in the cluster");
        return true;
    }

    /// <summary>Forgets the batches after the last checkpoint: they are trained again.</summary>
    private void RollBackToCheckpoint()
    {
        _sinceCheckpoint.Reset();
        _batches = _checkpointBatch;
        _summaries.RemoveAll(s => s.Batch > _checkpointBatch);
        _pendingCommit = null;
    }

    private void AddEvent(string kind, string message) => _events.Add(new RunEvent(DateTimeOffset.UtcNow, _batches, kind, message));

    /// <summary>
    /// Writes the run's record. While it trains, the record holds the progress of its last checkpoint (what a resumed
    /// run starts from); once it has ended, all of it.
    /// </summary>
    private async Task PersistAsync()
    {
        bool running = _state is RunState.Running or RunState.Pending;
        int batches = running ? _checkpointBatch : _batches;
        RunRecord record = stored.State;
        record.Request = _request;
        record.State = _state;
        record.Failure = _failure;
        record.Batches = batches;
        record.Summaries = [.. _summaries.Where(s => s.Batch <= batches)];
        record.Evaluations = _evaluations;
        record.Events = [.. _events];
        record.CheckpointBatch = _checkpointBatch;
        record.CheckpointParts = [.. _checkpointParts];
        record.ElapsedSeconds = _elapsedBefore + _clock.Elapsed.TotalSeconds;
        record.EvaluationSeconds = _evaluationSeconds;
        record.SetupSeconds = _setupBefore + _setupClock.Elapsed.TotalSeconds;
        record.Protocol = _protocol;
        record.TotalBatches = _schedule?.TotalBatches ?? record.TotalBatches;
        await stored.WriteStateAsync();
    }

    /// <summary>Takes up a run from its stored record (the coordinator's activation after its silo died, or after a cluster restart).</summary>
    private void RestoreFromRecord(RunRequest request)
    {
        RunRecord record = stored.State;
        _request = request;
        _state = record.State;
        _failure = record.Failure;
        _batches = record.Batches;
        _summaries.AddRange(record.Summaries);
        _events.AddRange(record.Events);
        _evaluations = record.Evaluations;
        _checkpointBatch = record.CheckpointBatch;
        _checkpointParts = [.. record.CheckpointParts];
        _elapsedBefore = record.ElapsedSeconds;
        _evaluationSeconds = record.EvaluationSeconds;
        _setupBefore = record.SetupSeconds;
        _protocol = record.Protocol;
        _totalBatches = record.TotalBatches;
        CreateLayerReferences();
        instruments.State(request.RunId, _state);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: {Failure}; resuming from the checkpoint after batch {Checkpoint} (attempt {Attempt})")]
    private partial void LogResuming(string runId, string failure, int checkpoint, int attempt);
}
