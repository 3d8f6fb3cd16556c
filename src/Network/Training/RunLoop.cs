using Pcn.Abstractions.Messages;
using Pcn.Data;

namespace Pcn.Network.Training;

/// <summary>
/// The one batch loop of a run (spec §5), which the single-process <see cref="Trainer"/> and the coordinator grain
/// both run: epochs of shuffled batches from where the run stands, a stop request honoured between batches, test
/// accuracy and each layer's learning signal on schedule, the reference's early stop, and how the run ends — a non-finite energy in a batch or in an
/// evaluation ends it <see cref="RunState.Diverged"/> with the batch named. What a batch is (one process, or a
/// command to every layer grain) and what happens after it (a progress report, a checkpoint) is the caller's.
/// </summary>
public static class RunLoop
{
    /// <summary>
    /// Trains from batch <paramref name="trainedBefore"/> + 1 to the schedule's end. Because an epoch's order depends
    /// only on (seed, epoch), a resumed run trains the same batches in the same order as one that never stopped.
    /// Exceptions other than a divergence (a lost layer, a storage failure) propagate to the caller.
    /// </summary>
    public static async ValueTask<RunOutcome> RunAsync(TrainingSchedule schedule, LabelledSet train, BatchBuffers buffers, IRunSteps steps, int trainedBefore, Func<bool> stopRequested)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(buffers);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(stopRequested);
        var iterator = new BatchIterator(train, schedule.Training.BatchSize, schedule.Training.ShuffleSeed);
        int batch = trainedBefore;
        for (int epoch = batch / schedule.BatchesPerEpoch; epoch < schedule.Training.Epochs && batch < schedule.TotalBatches; epoch++)
        {
            iterator.BeginEpoch(epoch);
            for (int b = batch % schedule.BatchesPerEpoch; b < schedule.BatchesPerEpoch && batch < schedule.TotalBatches; b++)
            {
                if (stopRequested())
                {
                    return new RunOutcome(RunState.Cancelled, batch, null);
                }

                buffers.Fill(iterator, b);
                (double loss, double[] energies) trained;
                try
                {
                    trained = await steps.TrainAsync(batch + 1, buffers);
                }
                catch (DivergenceException e)
                {
                    return new RunOutcome(RunState.Diverged, batch, $"batch {batch + 1}: {e.Message}");
                }

                batch++;
                double? accuracy = null;
                LayerLearning[]? learning = null;
                if (schedule.EvaluatesAfter(batch))
                {
                    try
                    {
                        accuracy = await steps.EvaluateAsync();
                    }
                    catch (DivergenceException e)
                    {
                        return new RunOutcome(RunState.Diverged, batch, $"evaluation after batch {batch}: {e.Message}");
                    }

                    learning = await steps.MeasureLearningAsync();
                }

                string? earlyStop = schedule.EarlyStop(batch, trained.loss, accuracy);
                await steps.AfterBatchAsync(new BatchOutcome(epoch, batch, trained.loss, trained.energies, accuracy, learning), continues: earlyStop is null && batch < schedule.TotalBatches);
                if (earlyStop is not null)
                {
                    return new RunOutcome(RunState.Failed, batch, earlyStop);
                }
            }
        }

        return new RunOutcome(RunState.Completed, batch, null);
    }
}

/// <summary>What a batch and an evaluation are for one kind of run.</summary>
public interface IRunSteps
{
    /// <summary>
    /// Trains batch <paramref name="batch"/> (1-based) on <paramref name="buffers"/>; returns its feedforward train
    /// loss and E_ℓ/B after inference (empty for backprop). A non-finite energy throws <see cref="DivergenceException"/>.
    /// </summary>
    ValueTask<(double Loss, double[] Energies)> TrainAsync(int batch, BatchBuffers buffers);

    /// <summary>Test accuracy in percent of the current weights.</summary>
    ValueTask<double> EvaluateAsync();

    /// <summary>Every layer's learning signal now (ℓ = 1..L), measured with each test accuracy.</summary>
    ValueTask<LayerLearning[]> MeasureLearningAsync();

    /// <summary>
    /// After a batch and its evaluation; <paramref name="continues"/> is false when it is the run's last (the schedule
    /// is done or the run stops early), so a checkpoint taken here would be taken again at the end.
    /// </summary>
    ValueTask AfterBatchAsync(BatchOutcome batch, bool continues);
}

/// <summary>What one batch produced.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Batch">1-based count of batches trained in the run so far.</param>
/// <param name="TrainLoss">The feedforward train loss, before the batch's update.</param>
/// <param name="Energies">E_ℓ/B after inference (PC); empty for backprop.</param>
/// <param name="TestAccuracy">Test accuracy (percent) when evaluated after this batch.</param>
/// <param name="Learning">Each layer's learning signal, measured with the test accuracy.</param>
public sealed record BatchOutcome(int Epoch, int Batch, double TrainLoss, double[] Energies, double? TestAccuracy, LayerLearning[]? Learning);

/// <summary>How a run's batch loop ended.</summary>
/// <param name="State">Completed, Cancelled, Diverged or Failed (early stop).</param>
/// <param name="Batches">Batches trained in all.</param>
/// <param name="Failure">For Diverged and Failed, what happened and where.</param>
public sealed record RunOutcome(RunState State, int Batches, string? Failure);
