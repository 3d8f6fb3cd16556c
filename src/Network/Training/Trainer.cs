using System.Diagnostics;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends;

namespace Pcn.Network.Training;

/// <summary>
/// The single-process trainer (spec §3–§5): per batch, clamp, then PC inference learning or backprop, reporting the
/// feedforward train loss and per-layer energies; test accuracy by feedforward argmax every K batches and at the end.
/// A non-finite energy stops the run as <see cref="RunState.Diverged"/>, naming the layer, batch and step. The batch
/// loop is <see cref="RunLoop"/>, the same one the coordinator grain runs.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainingOptions _training;
    private readonly Dataset _data;
    private readonly PcNetwork _network;
    private readonly BatchBuffers _batch, _test;
    private readonly float[] _logits;

    /// <summary>Validates every option against each other and the data before allocating anything large.</summary>
    public Trainer(IPcBackend backend, NetworkOptions network, TrainingOptions training, Dataset data)
    {
        Schedule = TrainingSchedule.Create(network, training, data);
        _training = training;
        _data = data;
        _network = new PcNetwork(backend, network);
        _batch = new BatchBuffers(training.BatchSize, network.InputDim, network.OutputDim);
        _test = new BatchBuffers(training.BatchSize, network.InputDim, network.OutputDim);
        _logits = new float[training.BatchSize * network.OutputDim];
    }

    /// <summary>Batches, steps and evaluation points.</summary>
    public TrainingSchedule Schedule { get; }

    /// <summary>T, the inference steps per batch.</summary>
    public int Steps => Schedule.Steps;

    /// <summary>⌊train samples / B⌋.</summary>
    public int BatchesPerEpoch => Schedule.BatchesPerEpoch;

    /// <summary>Batches this run trains: epochs × batches per epoch, capped by the batch limit.</summary>
    public int TotalBatches => Schedule.TotalBatches;

    /// <summary>The network being trained.</summary>
    public PcNetwork Network => _network;

    /// <summary>Trains every batch through the shared <see cref="RunLoop"/>, reporting each; returns how the run ended.</summary>
    public TrainingResult Run(IProgress<BatchReport>? progress = null, CancellationToken cancellation = default)
    {
        var steps = new LocalSteps(this, progress, Stopwatch.StartNew());

        // Every step completes synchronously here, so the loop never leaves this thread.
        RunOutcome outcome = RunLoop.RunAsync(Schedule, _data.Train, _batch, steps, trainedBefore: 0, () => cancellation.IsCancellationRequested).AsTask().GetAwaiter().GetResult();
        return new TrainingResult(outcome.State, outcome.Batches, steps.Accuracy, steps.Clock.Elapsed, outcome.Failure, steps.Learning);
    }

    /// <summary>
    /// Test accuracy in percent (spec §5): feedforward only, argmax(ŷ) against the label, averaged over the full
    /// test batches of size B (drop_last).
    /// </summary>
    public double Evaluate()
    {
        var iterator = new BatchIterator(_data.Test, _training.BatchSize, seed: 0, shuffle: false);
        if (iterator.BatchCount == 0)
        {
            throw new InvalidOperationException($"The test set has {_data.Test.Count} samples, fewer than one batch of {_training.BatchSize}.");
        }

        int classes = _network.Shape.Options.OutputDim;
        long correct = 0;
        for (int b = 0; b < iterator.BatchCount; b++)
        {
            _test.Fill(iterator, b);
            _network.Clamp(_test.X, _test.Y, _training.BatchSize);
            _network.Predict(_logits);
            correct += TrainingSchedule.CountCorrect(_logits, _test.Labels, classes, _network.Shape.LayerCount);
        }

        return 100.0 * correct / ((long)iterator.BatchCount * _training.BatchSize);
    }

    /// <inheritdoc/>
    public void Dispose() => _network.Dispose();

    /// <summary>A batch and an evaluation in this process, and the reports and accuracies the run collects.</summary>
    private sealed class LocalSteps(Trainer trainer, IProgress<BatchReport>? progress, Stopwatch clock) : IRunSteps
    {
        private readonly double[] _energies = new double[trainer._network.Shape.LayerCount];

        public Stopwatch Clock { get; } = clock;

        public List<(int Batch, double Accuracy)> Accuracy { get; } = [];

        public LayerLearning[]? Learning { get; private set; }

        public ValueTask<(double Loss, double[] Energies)> TrainAsync(int batch, BatchBuffers buffers)
        {
            TrainingOptions training = trainer._training;
            PcNetwork network = trainer._network;
            network.Clamp(buffers.X, buffers.Y, training.BatchSize);
            return ValueTask.FromResult(training.Algorithm == Algorithm.Pc
                ? (network.TrainPc(trainer.Steps, training.InferenceRate, training, [], _energies), (double[])_energies.Clone())
                : (network.TrainBp(training), []));
        }

        public ValueTask<double> EvaluateAsync() => ValueTask.FromResult(trainer.Evaluate());

        public ValueTask<LayerLearning[]> MeasureLearningAsync() => ValueTask.FromResult(Learning = trainer._network.MeasureLearning());

        public ValueTask AfterBatchAsync(BatchOutcome batch, bool continues)
        {
            if (batch.TestAccuracy is double accuracy)
            {
                Accuracy.Add((batch.Batch, accuracy));
            }

            progress?.Report(new BatchReport(batch.Epoch, batch.Batch, trainer.TotalBatches, batch.TrainLoss, batch.Energies.Length > 0 ? batch.Energies : null, batch.TestAccuracy, Clock.Elapsed, batch.Learning));
            return ValueTask.CompletedTask;
        }
    }
}
