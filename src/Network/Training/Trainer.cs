using System.Diagnostics;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends;

namespace Pcn.Network.Training;

/// <summary>
/// The single-process trainer (spec §3–§5): per batch, clamp, then PC inference learning or backprop, reporting the
/// feedforward train loss and per-layer energies; test accuracy by feedforward argmax every K batches and at the end.
/// A non-finite energy stops the run as <see cref="RunStatus.Diverged"/>, naming the layer, batch and step.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainingOptions _training;
    private readonly Dataset _data;
    private readonly PcNetwork _network;
    private readonly float[] _x, _y, _logits;
    private readonly byte[] _labels;

    /// <summary>Validates every option against each other and the data before allocating anything large.</summary>
    public Trainer(IPcBackend backend, NetworkOptions network, TrainingOptions training, Dataset data)
    {
        Schedule = TrainingSchedule.Create(network, training, data);
        _training = training;
        _data = data;
        _network = new PcNetwork(backend, network);
        _x = new float[training.BatchSize * network.InputDim];
        _y = new float[training.BatchSize * network.OutputDim];
        _logits = new float[training.BatchSize * network.OutputDim];
        _labels = new byte[training.BatchSize];
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

    /// <summary>Trains every batch, reporting each; returns how the run ended.</summary>
    public TrainingResult Run(IProgress<BatchReport>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var iterator = new BatchIterator(_data.Train, _training.BatchSize, _training.ShuffleSeed);
        var accuracy = new List<(int, double)>();
        int batch = 0;
        double[] energies = new double[_network.Shape.LayerCount];
        try
        {
            for (int epoch = 0; epoch < _training.Epochs && batch < TotalBatches; epoch++)
            {
                iterator.BeginEpoch(epoch);
                for (int b = 0; b < BatchesPerEpoch && batch < TotalBatches; b++)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        return new TrainingResult(RunStatus.Cancelled, batch, accuracy, clock.Elapsed, null);
                    }

                    iterator.Fill(b, _x, _y, _labels);
                    double loss;
                    try
                    {
                        loss = TrainBatch(energies);
                    }
                    catch (DivergenceException e)
                    {
                        return new TrainingResult(RunStatus.Diverged, batch, accuracy, clock.Elapsed, $"batch {batch + 1}: {e.Message}");
                    }

                    batch++;
                    double? testAccuracy = null;
                    if (Schedule.EvaluatesAfter(batch))
                    {
                        testAccuracy = Evaluate();
                        accuracy.Add((batch, testAccuracy.Value));
                    }

                    progress?.Report(new BatchReport(epoch, batch, TotalBatches, loss, _training.Algorithm == Algorithm.Pc ? (double[])energies.Clone() : null, testAccuracy, clock.Elapsed));
                    if (Schedule.EarlyStop(batch, loss, testAccuracy) is string reason)
                    {
                        return new TrainingResult(RunStatus.Failed, batch, accuracy, clock.Elapsed, reason);
                    }
                }
            }
        }
        catch (DivergenceException e)
        {
            return new TrainingResult(RunStatus.Diverged, batch, accuracy, clock.Elapsed, $"evaluation after batch {batch}: {e.Message}");
        }

        return new TrainingResult(RunStatus.Completed, batch, accuracy, clock.Elapsed, null);
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
            iterator.Fill(b, _x, _y, _labels);
            _network.Clamp(_x, _y, _training.BatchSize);
            _network.Predict(_logits);
            correct += TrainingSchedule.CountCorrect(_logits, _labels, classes, _network.Shape.LayerCount);
        }

        return 100.0 * correct / ((long)iterator.BatchCount * _training.BatchSize);
    }

    /// <inheritdoc/>
    public void Dispose() => _network.Dispose();

    private double TrainBatch(double[] energies)
    {
        _network.Clamp(_x, _y, _training.BatchSize);
        return _training.Algorithm == Algorithm.Pc
            ? _network.TrainPc(Steps, _training.InferenceRate, _training, [], energies)
            : _network.TrainBp(_training);
    }
}
