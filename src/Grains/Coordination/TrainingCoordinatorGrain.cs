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
/// Drives one run through its layer grains with the schedule of <see cref="PcNetwork"/>: the same commands in the same
/// order, energies summed in the same order, so the run equals the single-process trainer bit for bit.
/// </summary>
public sealed partial class TrainingCoordinatorGrain(DatasetCache datasets, PcnInstruments instruments, ILogger<TrainingCoordinatorGrain> logger) : Grain, ITrainingCoordinatorGrain
{
    private readonly List<BatchSummary> _summaries = [];
    private readonly Stopwatch _clock = new();
    private RunRequest? _request;
    private TrainingSchedule? _schedule;
    private Dataset? _data;
    private ILayerGrain[] _layers = [];
    private RunState _state = RunState.Pending;
    private string? _failure;
    private bool _cancelRequested;
    private int _batches;
    private Task? _loop;

    /// <inheritdoc/>
    public async Task<RunSnapshot> StartAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_request is not null)
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists ({_state}); choose another run id.");
        }

        RunIds.Validate(request.RunId);
        Dataset data;
        try
        {
            data = datasets.Get(request.Data);
        }
        catch (Exception e) when (e is GpuKernels.Data.IdxFormatException or InvalidDataException)
        {
            // The data layer's exception types are not Orleans-serialisable; the message (file and fault) is what matters.
            throw new InvalidOperationException(e.Message);
        }

        TrainingSchedule schedule = TrainingSchedule.Create(request.Network, request.Training, data);
        if (!await GrainFactory.GetGrain<IRunRegistryGrain>(0).RegisterAsync(request))
        {
            throw new InvalidOperationException($"Run '{request.RunId}' already exists in the cluster; choose another run id.");
        }

        (_request, _schedule, _data) = (request, schedule, data);
        int count = request.Network.LayerCount;
        _layers = Enumerable.Range(1, count).Select(l => GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(request.RunId, l, count))).ToArray();
        await Task.WhenAll(_layers.Select((layer, i) => layer.InitializeAsync(new LayerSetup(request.RunId, request.Network, i + 1))));
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
        if (_request is null || _state == RunState.Running)
        {
            throw new InvalidOperationException(_request is null ? $"There is no run '{this.GetPrimaryKeyString()}'." : $"Run '{_request.RunId}' is still training; evaluate it when it has finished.");
        }

        return await EvaluateCoreAsync();
    }

    /// <inheritdoc/>
    public async Task DropAsync()
    {
        if (_request is null || _state == RunState.Running)
        {
            throw new InvalidOperationException(_request is null ? $"There is no run '{this.GetPrimaryKeyString()}'." : $"Run '{_request.RunId}' is still training; cancel it first.");
        }

        await Task.WhenAll(_layers.Select(l => l.ReleaseAsync()));
        instruments.DropRun(_request.RunId);
        _layers = [];
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetPlacementAsync() => WhenAllList(_layers.Select(l => l.GetSiloAsync()));

    /// <inheritdoc/>
    public Task<TensorPayload> GetWeightsAsync(int layer) => _layers[layer - 1].GetWeightsAsync();

    private static async Task<IReadOnlyList<T>> WhenAllList<T>(IEnumerable<Task<T>> tasks) => await Task.WhenAll(tasks);

    private RunSnapshot Snapshot(int afterBatch) => new(
        _request!,
        _state,
        _batches,
        _schedule?.TotalBatches ?? 0,
        [.. _summaries.Where(s => s.Batch > afterBatch)],
        _failure,
        _clock.Elapsed.TotalSeconds);

    private async Task RunAsync()
    {
        RunRequest request = _request!;
        TrainingOptions training = request.Training;
        TrainingSchedule schedule = _schedule!;
        var iterator = new BatchIterator(_data!.Train, training.BatchSize, training.ShuffleSeed);
        var batch = new BatchBuffers(training.BatchSize, request.Network);
        _clock.Start();
        try
        {
            for (int epoch = 0; epoch < training.Epochs && _batches < schedule.TotalBatches; epoch++)
            {
                iterator.BeginEpoch(epoch);
                for (int b = 0; b < schedule.BatchesPerEpoch && _batches < schedule.TotalBatches; b++)
                {
                    if (_cancelRequested)
                    {
                        Finish(RunState.Cancelled, null);
                        return;
                    }

                    iterator.Fill(b, batch.X, batch.Y, batch.Labels);
                    long started = Stopwatch.GetTimestamp();
                    (double loss, double[] energies) = await TrainBatchAsync(_batches + 1, batch);
                    _batches++;
                    instruments.Batch(request.RunId, training.BatchSize, loss, energies.Length > 0 ? energies.Sum() : null, Stopwatch.GetElapsedTime(started));
                    double? accuracy = schedule.EvaluatesAfter(_batches) ? await EvaluateCoreAsync() : null;
                    if (accuracy is double measured)
                    {
                        instruments.TestAccuracy(request.RunId, measured);
                    }

                    _summaries.Add(new BatchSummary(epoch, _batches, loss, energies, accuracy, _clock.Elapsed.TotalSeconds));
                    if (schedule.EarlyStop(_batches, loss, accuracy) is string reason)
                    {
                        Finish(RunState.Failed, reason);
                        return;
                    }
                }
            }

            Finish(RunState.Completed, null);
        }
        catch (DivergenceException e)
        {
            Finish(RunState.Diverged, $"batch {_batches + 1}: {e.Message}");
        }
        catch (Exception e)
        {
            Finish(RunState.Failed, $"batch {_batches + 1}: {e.GetType().Name}: {e.Message}");
        }
    }

    private void Finish(RunState state, string? failure)
    {
        _clock.Stop();
        _state = state;
        _failure = failure;
        instruments.State(_request!.RunId, state);
        LogFinished(_request!.RunId, state, _batches, failure ?? string.Empty);
    }

    private async Task<(double Loss, double[] Energies)> TrainBatchAsync(int batch, BatchBuffers buffers)
    {
        RunRequest request = _request!;
        TrainingOptions training = request.Training;
        int rows = training.BatchSize;
        await Task.WhenAll(
            _layers[0].ClampAsync(batch, new TensorPayload(rows, request.Network.InputDim, (float[])buffers.X.Clone())),
            _layers[^1].ClampAsync(batch, new TensorPayload(rows, request.Network.OutputDim, (float[])buffers.Y.Clone())));
        foreach (ILayerGrain layer in _layers)
        {
            await layer.ForwardAsync(batch);
        }

        if (training.Algorithm == Algorithm.Bp)
        {
            return (await BackpropAsync(batch, rows), []);
        }

        double loss = double.NaN;
        double[] energies = new double[_layers.Length];
        int steps = _schedule!.Steps;
        for (int t = 0; t <= steps; t++)
        {
            long stepStarted = Stopwatch.GetTimestamp();
            bool last = t == steps;
            var command = new StepCommand(batch, t, BelowChanged: t > 0, SendFeedback: !last, StepSize: training.InferenceRate / rows);
            double[] sums = await Task.WhenAll(_layers.Select(l => l.ComputeErrorAsync(command)));
            for (int i = 0; i < sums.Length; i++)
            {
                if (!double.IsFinite(sums[i]))
                {
                    throw new DivergenceException(i + 1, t, sums[i], t == 0 ? "the feedforward activities" : "inference");
                }
            }

            if (t == 0)
            {
                loss = sums[^1] / rows;
            }

            if (last)
            {
                for (int i = 0; i < sums.Length; i++)
                {
                    energies[i] = sums[i] / rows;
                }

                break;
            }

            await Task.WhenAll(_layers[..^1].Select(l => l.UpdateActivityAsync(command)));
            instruments.InferenceStep(request.RunId, Stopwatch.GetElapsedTime(stepStarted));
        }

        await UpdateWeightsAsync(batch, GradientFactors.PredictiveCoding(rows));
        return (loss, energies);
    }

    private async Task<double> BackpropAsync(int batch, int rows)
    {
        NetworkOptions network = _request!.Network;
        double energy = await _layers[^1].ComputeErrorAsync(new StepCommand(batch, 0, BelowChanged: false, SendFeedback: false, StepSize: 0));
        if (!double.IsFinite(energy))
        {
            throw new DivergenceException(_layers.Length, -1, energy, "the feedforward pass");
        }

        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            await _layers[i].BackpropagateAsync(batch);
        }

        await UpdateWeightsAsync(batch, GradientFactors.Backprop(network.Loss, rows, network.OutputDim));
        return energy / rows;
    }

    private Task UpdateWeightsAsync(int batch, double factor)
    {
        TrainingOptions t = _request!.Training;
        var update = new WeightUpdate(batch, factor, t.LearningRate, t.AdamBeta1, t.AdamBeta2, t.AdamEpsilon);
        return Task.WhenAll(_layers.Select(l => l.UpdateWeightsAsync(update)));
    }

    /// <summary>Test accuracy by feedforward passes over the full test batches (spec §5), as <see cref="Trainer.Evaluate"/>.</summary>
    private async Task<double> EvaluateCoreAsync()
    {
        RunRequest request = _request!;
        int rows = request.Training.BatchSize, classes = request.Network.OutputDim;
        var iterator = new BatchIterator(_data!.Test, rows, seed: 0, shuffle: false);
        var buffers = new BatchBuffers(rows, request.Network);
        long correct = 0;
        for (int b = 0; b < iterator.BatchCount; b++)
        {
            iterator.Fill(b, buffers.X, buffers.Y, buffers.Labels);
            await _layers[0].ClampAsync(-1, new TensorPayload(rows, request.Network.InputDim, (float[])buffers.X.Clone()));
            foreach (ILayerGrain layer in _layers)
            {
                await layer.ForwardAsync(-1);
            }

            TensorPayload logits = await _layers[^1].GetPredictionAsync();
            correct += TrainingSchedule.CountCorrect(logits.Values, buffers.Labels, classes, _layers.Length);
        }

        return 100.0 * correct / ((long)iterator.BatchCount * rows);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} started: {Layers} layer grains, {Batches} batches")]
    private partial void LogStarted(string runId, int layers, int batches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} ended {State} after {Batches} batches {Failure}")]
    private partial void LogFinished(string runId, RunState state, int batches, string failure);

    /// <summary>One batch on the host: inputs, one-hot targets and labels.</summary>
    private sealed class BatchBuffers(int rows, NetworkOptions network)
    {
        public float[] X { get; } = new float[rows * network.InputDim];

        public float[] Y { get; } = new float[rows * network.OutputDim];

        public byte[] Labels { get; } = new byte[rows];
    }
}
