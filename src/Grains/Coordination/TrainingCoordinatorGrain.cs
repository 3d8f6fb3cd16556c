using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Data;
using Pcn.GpuKernels.Training;
using Pcn.Grains.Diagnostics;

namespace Pcn.Grains.Coordination;

/// <summary>
/// Drives one run through its layer grains with the dataflow schedule (TrainingCoordinatorGrain.Batches.cs): per
/// batch one command to every layer, one report back from every layer, and the divergence check in the single-process
/// trainer's order before the batch's weight update is committed — so the run equals the trainer bit for bit.
/// Evaluations flow up the layer chain (TrainingCoordinatorGrain.Evaluation.cs).
/// </summary>
public sealed partial class TrainingCoordinatorGrain(DatasetCache datasets, PcnInstruments instruments, ILogger<TrainingCoordinatorGrain> logger) : Grain, ITrainingCoordinatorGrain, ICoordinatorInbox
{
    private readonly List<BatchSummary> _summaries = [];
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _setupClock = new();
    private RunRequest? _request;
    private TrainingSchedule? _schedule;
    private Dataset? _data;
    private ILayerGrain[] _layers = [];
    private RunState _state = RunState.Pending;
    private string? _failure;
    private bool _cancelRequested;
    private bool _dropped;
    private int _batches;
    private double _evaluationSeconds;
    private Task? _loop;

    /// <inheritdoc/>
    public async Task<RunSnapshot> StartAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_request is not null)
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists ({_state}); choose another run id.");
        }

        _setupClock.Start();
        RunIds.Validate(request.RunId);
        Dataset data;
        try
        {
            // Reading and normalising a data set takes seconds the first time: off the grain scheduler, so the silo's
            // other grains (and this one's status calls) are not held up.
            data = await Task.Run(() => datasets.Get(request.Data));
        }
        catch (Exception e) when (e is IdxFormatException or InvalidDataException)
        {
            // The data layer's exception types are not Orleans-serialisable; the message (file and fault) is what matters.
            throw new InvalidOperationException(e.Message);
        }

        TrainingSchedule schedule = TrainingSchedule.Create(request.Network, request.Training, data);
        if (_request is not null || !await GrainFactory.GetGrain<IRunRegistryGrain>(0).RegisterAsync(request))
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists in the cluster; choose another run id.");
        }

        (_request, _schedule, _data) = (request, schedule, data);
        int count = request.Network.LayerCount;
        _layers = Enumerable.Range(1, count).Select(l => GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(request.RunId, l, count))).ToArray();

        // The run's history and progress live in this activation: it must not be collected while the run trains or
        // while anyone may still ask for its results (the client can be gone for a long time).
        DelayDeactivation(TimeSpan.MaxValue);
        _state = RunState.Running;
        instruments.State(request.RunId, _state);
        LogStarted(request.RunId, count, schedule.TotalBatches);
        _loop = RunAsync();
        return Snapshot(0);
    }

    /// <inheritdoc/>
    public Task<RunSnapshot> GetSnapshotAsync(int afterBatch)
    {
        if (_request is null)
        {
            throw new InvalidOperationException($"There is no run '{this.GetPrimaryKeyString()}'.");
        }

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
        return await EvaluateCoreAsync();
    }

    /// <inheritdoc/>
    public async Task DropAsync()
    {
        RequireFinishedRun("cancel it first");
        await Task.WhenAll(_layers.Select(l => l.ReleaseAsync()));
        instruments.DropRun(_request!.RunId);
        _layers = [];
        _dropped = true;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetPlacementAsync() => WhenAllList(_layers.Select(l => l.GetSiloAsync()));

    /// <inheritdoc/>
    public Task<TensorPayload> GetWeightsAsync(int layer)
    {
        if (layer < 1 || layer > _layers.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Run '{this.GetPrimaryKeyString()}' has layers 1..{_layers.Length}.");
        }

        return _layers[layer - 1].GetWeightsAsync();
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

    private static async Task<IReadOnlyList<T>> WhenAllList<T>(IEnumerable<Task<T>> tasks) => await Task.WhenAll(tasks);

    private void RequireFinishedRun(string advice)
    {
        if (_request is null)
        {
            throw new InvalidOperationException($"There is no run '{this.GetPrimaryKeyString()}'.");
        }

        if (_state is RunState.Running or RunState.Pending)
        {
            throw new InvalidOperationException($"Run '{_request.RunId}' is still training; {advice} when it has finished.");
        }

        if (_dropped)
        {
            throw new InvalidOperationException($"Run '{_request.RunId}' was dropped: its layers and weights are gone.");
        }
    }

    private RunSnapshot Snapshot(int afterBatch)
    {
        double elapsed = _clock.Elapsed.TotalSeconds;
        return new RunSnapshot(
            _request!,
            _state,
            _batches,
            _schedule?.TotalBatches ?? 0,
            [.. _summaries.Where(s => s.Batch > afterBatch)],
            _failure,
            elapsed,
            new RunTimings(_setupClock.Elapsed.TotalSeconds, Math.Max(0, elapsed - _evaluationSeconds), _evaluationSeconds),
            _protocol);
    }

    /// <summary>The run loop: layers first, then every batch, evaluation on schedule, and how the run ends.</summary>
    private async Task RunAsync()
    {
        RunRequest request = _request!;
        TrainingOptions training = request.Training;
        TrainingSchedule schedule = _schedule!;
        RunState end = RunState.Completed;
        string? failure = null;
        try
        {
            await Task.WhenAll(_layers.Select((layer, i) => layer.InitializeAsync(new LayerSetup(request.RunId, request.Network, i + 1))));
            var iterator = new BatchIterator(_data!.Train, training.BatchSize, training.ShuffleSeed);
            var batch = new BatchBuffers(training.BatchSize, request.Network);
            _setupClock.Stop();
            _clock.Start();
            (end, failure) = await TrainBatchesAsync(iterator, batch);
        }
        catch (DivergenceException e)
        {
            (end, failure) = (RunState.Diverged, $"batch {_batches + 1}: {e.Message}");
        }
        catch (EvaluationDivergenceException e)
        {
            (end, failure) = (RunState.Diverged, $"evaluation after batch {_batches}: {e.InnerException!.Message}");
        }
        catch (Exception e)
        {
            (end, failure) = (RunState.Failed, e is LayerFailedException ? e.Message : $"batch {_batches + 1}: {e.GetType().Name}: {e.Message}");
        }

        await FinishAsync(end, failure);
    }

    private async Task<(RunState State, string? Failure)> TrainBatchesAsync(BatchIterator iterator, BatchBuffers batch)
    {
        RunRequest request = _request!;
        TrainingOptions training = request.Training;
        TrainingSchedule schedule = _schedule!;
        for (int epoch = 0; epoch < training.Epochs && _batches < schedule.TotalBatches; epoch++)
        {
            iterator.BeginEpoch(epoch);
            for (int b = 0; b < schedule.BatchesPerEpoch && _batches < schedule.TotalBatches; b++)
            {
                if (_cancelRequested)
                {
                    return (RunState.Cancelled, null);
                }

                iterator.Fill(b, batch.X, batch.Y, batch.Labels);
                long started = Stopwatch.GetTimestamp();
                (double loss, double[] energies) = await TrainBatchAsync(_batches + 1, batch);
                _batches++;
                instruments.Batch(request.RunId, training.BatchSize, loss, energies.Length > 0 ? energies.Sum() : null, Stopwatch.GetElapsedTime(started));
                double? accuracy = null;
                if (schedule.EvaluatesAfter(_batches))
                {
                    try
                    {
                        accuracy = await EvaluateCoreAsync();
                    }
                    catch (DivergenceException e)
                    {
                        throw new EvaluationDivergenceException(e);
                    }

                    instruments.TestAccuracy(request.RunId, accuracy.Value);
                }

                _summaries.Add(new BatchSummary(epoch, _batches, loss, energies, accuracy, _clock.Elapsed.TotalSeconds));
                if (schedule.EarlyStop(_batches, loss, accuracy) is string reason)
                {
                    return (RunState.Failed, reason);
                }
            }
        }

        return (RunState.Completed, null);
    }

    /// <summary>
    /// Ends the run: the last good batch's update is committed (the trainer has applied it by then too), and after a
    /// failure every layer is told to stop waiting for messages that will not come.
    /// </summary>
    private async Task FinishAsync(RunState state, string? failure)
    {
        try
        {
            await FlushCommitAsync();
        }
        catch (Exception e)
        {
            state = RunState.Failed;
            failure ??= $"committing the last update: {e.Message}";
        }

        if (state is RunState.Failed or RunState.Diverged)
        {
            string reason = $"run {_request!.RunId} ended {state}";
            try
            {
                await Task.WhenAll(_layers.Select(l => l.AbortAsync(reason)));
            }
            catch (Exception e)
            {
                // A layer that cannot be reached (its silo is gone) waits for nothing that matters; the run's end stands.
                LogAbortFailed(_request.RunId, e.Message);
            }
        }

        _clock.Stop();
        _setupClock.Stop();
        _state = state;
        _failure = failure;
        instruments.State(_request!.RunId, state);
        LogFinished(_request!.RunId, state, _batches, failure ?? string.Empty);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} started: {Layers} layer grains, {Batches} batches")]
    private partial void LogStarted(string runId, int layers, int batches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {State} after {Batches} batches {Failure}")]
    private partial void LogFinished(string runId, RunState state, int batches, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: not every layer could be told to stop waiting: {Reason}")]
    private partial void LogAbortFailed(string runId, string reason);

    /// <summary>One batch on the host: inputs, one-hot targets and labels.</summary>
    private sealed class BatchBuffers(int rows, NetworkOptions network)
    {
        public float[] X { get; } = new float[rows * network.InputDim];

        public float[] Y { get; } = new float[rows * network.OutputDim];

        public byte[] Labels { get; } = new byte[rows];
    }

    /// <summary>A divergence seen in an evaluation (the test feedforward pass), not in a training batch.</summary>
    private sealed class EvaluationDivergenceException(DivergenceException inner) : Exception(inner.Message, inner);
}
