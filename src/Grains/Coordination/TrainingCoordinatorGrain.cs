using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Persistence;
using Pcn.Network.Training;

namespace Pcn.Grains.Coordination;

/// <summary>
/// Drives one run through its layer grains with the dataflow schedule (TrainingCoordinatorGrain.Batches.cs): per
/// batch one command to every layer, one report back from every layer, and the divergence check in the single-process
/// trainer's order before the batch's weight update is committed — so the run equals the trainer bit for bit.
/// Evaluations flow up the layer chain (TrainingCoordinatorGrain.Evaluation.cs). Checkpoints, and resuming from them
/// when a silo is lost, are in TrainingCoordinatorGrain.Recovery.cs; the run itself lives in grain storage
/// (<see cref="RunRecord"/>), so a coordinator whose silo died comes back on another and carries on.
/// </summary>
internal sealed partial class TrainingCoordinatorGrain(
    DatasetCache datasets,
    PcnInstruments instruments,
    CheckpointSettings checkpoints,
    ILocalSiloDetails silo,
    [PersistentState("run", PcnStorage.Name)] IPersistentState<RunRecord> stored,
    ILogger<TrainingCoordinatorGrain> logger) : Grain, ITrainingCoordinatorGrain, ICoordinatorInbox, IRunSteps
{
    private readonly List<BatchSummary> _summaries = [];
    private readonly List<RunEvent> _events = [];
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _setupClock = new();
    private RunRequest? _request;
    private TrainingSchedule? _schedule;
    private Dataset? _data;
    private ILayerGrain[] _layers = [];
    private RunState _state = RunState.Pending;
    private string? _failure;
    private bool _cancelRequested;
    private int _batches;

    // The current building of the layers (LayerSetup.Generation); 0 until this activation builds them.
    private int _generation;
    private double _elapsedBefore;
    private double _setupBefore;
    private double _evaluationSeconds;
    private Task _loop = Task.CompletedTask;

    /// <summary>
    /// Picks up a stored run. One that was training when its coordinator went away (its silo died, or the whole
    /// cluster stopped) resumes from its last checkpoint at once: nobody needs to be attached for it to finish.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (stored.State.Request is not { } request)
        {
            return;
        }

        RestoreFromRecord(request);
        DelayDeactivation(TimeSpan.MaxValue);
        if (_state != RunState.Running)
        {
            return;
        }

        if (checkpoints.ResumeInterruptedRuns)
        {
            AddEvent("failure", "the run's coordinator was lost (its silo went away, or the whole cluster stopped) while the run trained");
            AddEvent("restart", $"the coordinator came back on {SiloName} and resumes from {CheckpointDescription}");
            _loop = RunAsync(fresh: false);
        }
        else
        {
            string failure = $"interrupted: the process hosting its silo stopped after batch {_batches}; continue it with `pcn train --resume {request.RunId}`";
            AddEvent("failure", failure);
            await SetStateAsync(RunState.Failed, failure);
        }
    }

    /// <inheritdoc/>
    public async Task<RunSnapshot> StartAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_request is not null)
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists ({_state.ToString().ToLowerInvariant()}); choose another run id, or resume it with `pcn train --resume {request.RunId}`.");
        }

        _setupClock.Start();
        RunIds.Validate(request.RunId);
        (Dataset data, TrainingSchedule schedule) = await LoadAsync(request);
        if (_request is not null || !await GrainFactory.GetGrain<IRunRegistryGrain>(0).RegisterAsync(request))
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists in the cluster; choose another run id.");
        }

        (_request, _schedule, _data) = (request, schedule, data);
        CreateLayerReferences();

        // The run's history and progress live in this activation (and in storage at every checkpoint): it is not
        // collected while the run trains or while anyone may still ask for its results.
        DelayDeactivation(TimeSpan.MaxValue);
        await SetStateAsync(RunState.Running, null);
        LogStarted(request.RunId, _layers.Length, schedule.TotalBatches);
        _loop = RunAsync(fresh: true);
        return Snapshot(0);
    }

    /// <inheritdoc/>
    public Task<RunSnapshot> GetSnapshotAsync(int afterBatch)
    {
        RequireRun();
        return Task.FromResult(Snapshot(afterBatch));
    }

    /// <inheritdoc/>
    public Task CancelAsync()
    {
        _cancelRequested = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<double> EvaluateAsync()
    {
        RequireFinishedRun("evaluate it");
        await EnsureDataAsync();
        await EnsureLayersAsync();
        return await EvaluateCoreAsync();
    }

    /// <inheritdoc/>
    public async Task DropAsync(bool keepCheckpoints)
    {
        RequireFinishedRun("cancel it first");
        string runId = _request!.RunId;
        await Task.WhenAll(_layers.Select(l => l.ReleaseAsync()));
        instruments.DropRun(runId);
        if (!keepCheckpoints)
        {
            await Task.Run(() => Pcn.Network.Checkpoints.CheckpointStore.DeleteAll(checkpoints.Root, runId));
        }

        await stored.ClearStateAsync();
        await GrainFactory.GetGrain<IRunRegistryGrain>(0).RemoveAsync(runId);
        _layers = [];
        _request = null;
        _summaries.Clear();
        _events.Clear();
        DeactivateOnIdle();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetPlacementAsync() => WhenAllList(_layers.Select(l => l.GetSiloAsync()));

    /// <inheritdoc/>
    public async Task<TensorPayload> GetWeightsAsync(int layer)
    {
        RequireRun();
        if (layer < 1 || layer > _layers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Run '{this.GetPrimaryKeyString()}' has layers 1..{_layers.Length}.");
        }

        if (_state is not (RunState.Running or RunState.Pending))
        {
            await EnsureLayersAsync();
        }

        return await _layers[layer - 1].GetWeightsAsync();
    }

    /// <inheritdoc/>
    public Task LayerReportAsync(LayerReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        // A report of a batch the run gave up on (after another layer failed) finds no batch waiting and is dropped.
        if (_reports.Add(report))
        {
            _protocol = _protocol with { LayerReports = _protocol.LayerReports + 1, LocalMessages = _protocol.LocalMessages + report.LocalMessages, RemoteMessages = _protocol.RemoteMessages + report.RemoteMessages };
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task TestPredictionAsync(TestPrediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        _predictions.Add(prediction);
        return Task.CompletedTask;
    }

    /// <summary>Orleans' messages can carry a whole stack trace; a run's failure and events keep the first line.</summary>
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static async Task<IReadOnlyList<T>> WhenAllList<T>(IEnumerable<Task<T>> tasks) => await Task.WhenAll(tasks);

    private string SiloName => silo.SiloAddress.Endpoint.ToString();

    private void RequireRun()
    {
        if (_request is null)
        {
            throw new InvalidOperationException($"There is no run '{this.GetPrimaryKeyString()}' (it was never started, or it was dropped).");
        }
    }

    private void RequireFinishedRun(string advice)
    {
        RequireRun();
        if (_state is RunState.Running or RunState.Pending)
        {
            throw new InvalidOperationException($"Run '{_request!.RunId}' is still training; {advice} when it has finished.");
        }
    }

    private void CreateLayerReferences()
    {
        RunRequest request = _request!;
        int count = request.Network.LayerCount;
        _layers = Enumerable.Range(1, count).Select(l => GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(request.RunId, l, count))).ToArray();
    }

    /// <summary>Reads and normalises the data set off the grain scheduler (seconds the first time), and plans the batches.</summary>
    private async Task<(Dataset Data, TrainingSchedule Schedule)> LoadAsync(RunRequest request)
    {
        Dataset data;
        try
        {
            data = await Task.Run(() => datasets.Get(request.Data));
        }
        catch (Exception e) when (e is IdxFormatException or InvalidDataException)
        {
            // The data layer's exception types are not Orleans-serialisable; the message (file and fault) is what matters.
            throw new InvalidOperationException(e.Message);
        }

        return (data, TrainingSchedule.Create(request.Network, request.Training, data));
    }

    private async Task EnsureDataAsync()
    {
        if (_data is null)
        {
            (_data, _schedule) = await LoadAsync(_request!);
        }
    }

    private RunSnapshot Snapshot(int afterBatch)
    {
        double elapsed = _elapsedBefore + _clock.Elapsed.TotalSeconds;
        return new RunSnapshot(
            _request!,
            _state,
            _batches,
            _schedule?.TotalBatches ?? _totalBatches,
            [.. _summaries.Where(s => s.Batch > afterBatch)],
            _failure,
            elapsed,
            new RunTimings(_setupBefore + _setupClock.Elapsed.TotalSeconds, Math.Max(0, elapsed - _evaluationSeconds), _evaluationSeconds),
            _protocol,
            [.. _events],
            _checkpointBatch,
            SiloName);
    }

    /// <summary>
    /// The run: layers first (fresh, or from the last checkpoint), then the batches through <see cref="RunLoop"/> (the
    /// loop the single-process trainer runs too: evaluation and early stop on schedule, and how the run ends), with
    /// checkpoints on schedule. A lost layer or silo sends the run back to its last checkpoint
    /// (TrainingCoordinatorGrain.Recovery.cs) instead of ending it.
    /// </summary>
    private async Task RunAsync(bool fresh)
    {
        RunState end = RunState.Completed;
        string? failure = null;
        bool fromCheckpoint = !fresh;
        while (true)
        {
            try
            {
                await EnsureDataAsync();
                await PrepareLayersAsync(fromCheckpoint);
                _setupClock.Stop();
                _clock.Start();
                RunOutcome outcome = await RunLoop.RunAsync(_schedule!, _data!.Train, new BatchBuffers(_request!.Training.BatchSize, _request.Network.InputDim, _request.Network.OutputDim), this, _batches, () => _cancelRequested);
                (end, failure) = (outcome.State, outcome.Failure);
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string what = e is LayerFailedException or LayerLostException ? e.Message : $"batch {_batches + 1}: {e.GetType().Name}: {FirstLine(e.Message)}";
                if (!_cancelRequested && await ShouldResumeAsync(e, what))
                {
                    fromCheckpoint = true;
                    continue;
                }

                (end, failure) = (RunState.Failed, what);
                break;
            }
        }

        await FinishAsync(end, failure);
    }

    // The run loop's steps (IRunSteps): a batch and an evaluation through the layer grains, with the metrics, the
    // history and the checkpoints around them.
    async ValueTask<(double Loss, double[] Energies)> IRunSteps.TrainAsync(int batch, BatchBuffers buffers)
    {
        long started = Stopwatch.GetTimestamp();
        (double loss, double[] energies) = await TrainBatchAsync(batch, buffers);
        _batches = batch;
        instruments.Batch(_request!.RunId, _request.Training.BatchSize, loss, energies.Length > 0 ? energies.Sum() : null, Stopwatch.GetElapsedTime(started));
        return (loss, energies);
    }

    async ValueTask<double> IRunSteps.EvaluateAsync()
    {
        double accuracy = await EvaluateCoreAsync();
        instruments.TestAccuracy(_request!.RunId, accuracy);
        return accuracy;
    }

    async ValueTask<LayerLearning[]> IRunSteps.MeasureLearningAsync()
    {
        // Like the evaluation's calls, these are not batch protocol and are not counted in it.
        return await Task.WhenAll(_layers.Select(l => l.MeasureLearningAsync()));
    }

    async ValueTask IRunSteps.AfterBatchAsync(BatchOutcome batch, bool continues)
    {
        _summaries.Add(new BatchSummary(batch.Epoch, batch.Batch, batch.TrainLoss, batch.Energies, batch.TestAccuracy, _elapsedBefore + _clock.Elapsed.TotalSeconds, batch.Learning));
        if (continues && CheckpointDue(_request!.Training))
        {
            await CheckpointAsync();
        }
    }

    /// <summary>
    /// Ends the run: the last good batch's update is committed (the trainer has applied it by then too), a run that
    /// completed or was cancelled takes its final checkpoint (what `pcn train --resume` and `pcn export` read), and
    /// after a failure every layer is told to stop waiting for messages that will not come.
    /// </summary>
    private async Task FinishAsync(RunState state, string? failure)
    {
        try
        {
            await FlushCommitAsync();
            if (state is RunState.Completed or RunState.Cancelled && _batches > _checkpointBatch)
            {
                await CheckpointAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            state = RunState.Failed;
            failure ??= $"committing the last update or its checkpoint: {e.Message}";
        }

        if (state is RunState.Failed or RunState.Diverged)
        {
            string reason = $"run {_request!.RunId} ended {state}";
            try
            {
                await Task.WhenAll(_layers.Select(l => l.AbortAsync(reason)));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A layer that cannot be reached (its silo is gone) waits for nothing that matters; the run's end stands.
                LogAbortFailed(_request.RunId, e.Message);
            }
        }

        _clock.Stop();
        _setupClock.Stop();
        await SetStateAsync(state, failure);
        LogFinished(_request!.RunId, state, _batches, failure ?? string.Empty);
    }

    /// <summary>Records a new state: in the metrics, in the registry and in storage (with the history so far).</summary>
    private async Task SetStateAsync(RunState state, string? failure)
    {
        _state = state;
        _failure = failure;
        instruments.State(_request!.RunId, state);
        await PersistAsync();
        try
        {
            await GrainFactory.GetGrain<IRunRegistryGrain>(0).SetStateAsync(_request.RunId, state);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The registry is only a list for `pcn status`; the run's own record (just written) is what counts.
            LogRegistryFailed(_request.RunId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} started: {Layers} layer grains, {Batches} batches")]
    private partial void LogStarted(string runId, int layers, int batches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {State} after {Batches} batches {Failure}")]
    private partial void LogFinished(string runId, RunState state, int batches, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: not every layer could be told to stop waiting: {Reason}")]
    private partial void LogAbortFailed(string runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: the run registry could not be updated: {Reason}")]
    private partial void LogRegistryFailed(string runId, string reason);
}
