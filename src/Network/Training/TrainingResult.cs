namespace Pcn.Network.Training;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>Every batch was trained.</summary>
    Completed,

    /// <summary>An energy or the loss became non-finite; see <see cref="TrainingResult.Failure"/>.</summary>
    Diverged,

    /// <summary>Stopped on request; the batches trained so far are kept.</summary>
    Cancelled,

    /// <summary>Stopped early as the reference does: non-finite train loss, or test accuracy under the threshold.</summary>
    Failed,
}

/// <summary>The outcome of a training run.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Batches">Batches trained.</param>
/// <param name="Accuracy">Test accuracy (percent) after each evaluation, with the batch it followed.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Failure">For a diverged run, the message naming layer, batch and step.</param>
public sealed record TrainingResult(RunStatus Status, int Batches, IReadOnlyList<(int Batch, double Accuracy)> Accuracy, TimeSpan Elapsed, string? Failure)
{
    /// <summary>The last test accuracy measured, or NaN if none.</summary>
    public double FinalAccuracy => Accuracy.Count == 0 ? double.NaN : Accuracy[^1].Accuracy;
}
