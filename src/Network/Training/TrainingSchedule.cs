using System.Globalization;
using Pcn.Abstractions.Options;
using Pcn.Data;

namespace Pcn.Network.Training;

/// <summary>
/// How many batches a run trains and when it evaluates, after checking the options against each other and the data
/// (before anything large is allocated). Shared by the single-process trainer and the coordinator grain.
/// </summary>
public sealed class TrainingSchedule
{
    private TrainingSchedule(TrainingOptions training, int steps, int batchesPerEpoch)
    {
        Training = training;
        Steps = steps;
        BatchesPerEpoch = batchesPerEpoch;
        TotalBatches = (int)Math.Min((long)batchesPerEpoch * training.Epochs, training.BatchLimit ?? int.MaxValue);
    }

    /// <summary>The training options.</summary>
    public TrainingOptions Training { get; }

    /// <summary>T, the inference steps per batch.</summary>
    public int Steps { get; }

    /// <summary>⌊train samples / B⌋ (drop_last).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Epochs × batches per epoch, capped by the batch limit.</summary>
    public int TotalBatches { get; }

    /// <summary>Validates <paramref name="network"/> and <paramref name="training"/> against each other and the data.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range or does not fit the data.</exception>
    public static TrainingSchedule Create(NetworkOptions network, TrainingOptions training, Dataset data)
    {
        network.Validate();
        training.Validate().RequireFits(network);
        if (data.Train.Features != network.InputDim)
        {
            throw new InvalidOptionException("--input-dim", network.InputDim.ToString(CultureInfo.InvariantCulture), $"the data in {data.Directory} has {data.Train.Features} features per sample");
        }

        if (data.Train.Classes > network.OutputDim)
        {
            // Users cannot set the output width, so the message is about the data: which label, where.
            (string set, LabelledSet labelled) = data.Train.Labels.AsSpan().IndexOfAnyInRange((byte)network.OutputDim, byte.MaxValue) >= 0 ? ("training", data.Train) : ("test", data.Test);
            int index = labelled.Labels.AsSpan().IndexOfAnyInRange((byte)network.OutputDim, byte.MaxValue);
            throw new InvalidOptionException("--data-dir", data.Directory, $"label {labelled.Labels[index]} at index {index} of the {set} labels is out of range for the {network.OutputDim} classes (labels must be 0..{network.OutputDim - 1})");
        }

        if (training.BatchSize > data.Train.Count || training.BatchSize > data.Test.Count)
        {
            throw new InvalidOptionException("--batch-size", training.BatchSize.ToString(CultureInfo.InvariantCulture), $"must not exceed the {data.Train.Count} training or {data.Test.Count} test samples");
        }

        return new TrainingSchedule(training, training.StepsFor(network), data.Train.Count / training.BatchSize);
    }

    /// <summary>
    /// The reference's early stop (spec §5): a message when the run must end as failed after this batch — non-finite
    /// train loss, or a test accuracy below <see cref="TrainingOptions.EarlyStopAccuracy"/> — else null.
    /// </summary>
    public string? EarlyStop(int batch, double trainLoss, double? testAccuracy)
    {
        if (!double.IsFinite(trainLoss))
        {
            return $"batch {batch}: the train loss is {trainLoss} (early stop)";
        }

        return testAccuracy is double accuracy && accuracy < Training.EarlyStopAccuracy
            ? string.Create(CultureInfo.InvariantCulture, $"batch {batch}: test accuracy {accuracy:F2}% is below {Training.EarlyStopAccuracy}% (no learning; early stop)")
            : null;
    }

    /// <summary>Whether test accuracy is measured after batch <paramref name="batch"/> (1-based): every K and after the last.</summary>
    public bool EvaluatesAfter(int batch) => batch % Training.TestEvery == 0 || batch == TotalBatches;

    /// <summary>
    /// How many rows of <paramref name="logits"/> (B × classes) have their first largest value, as jnp.argmax takes it,
    /// at the label's index. A non-finite prediction is a divergence of <paramref name="outputLayer"/> (L).
    /// </summary>
    public static int CountCorrect(ReadOnlySpan<float> logits, ReadOnlySpan<byte> labels, int classes, int outputLayer)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * classes, classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
            {
                if (row[k] > row[best])
                {
                    best = k;
                }
            }

            if (!float.IsFinite(row[best]))
            {
                throw new DivergenceException(outputLayer, -1, row[best], "the test feedforward pass");
            }

            if (best == labels[i])
            {
                correct++;
            }
        }

        return correct;
    }
}
