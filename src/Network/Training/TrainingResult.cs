using Pcn.Abstractions.Messages;

namespace Pcn.Network.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="State">How it ended: Completed, Cancelled, Diverged or Failed (early stop).</param>
/// <param name="Batches">Batches trained.</param>
/// <param name="Accuracy">Test accuracy (percent) after each evaluation, with the batch it followed.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Failure">For a diverged or failed run, the message naming what happened and where.</param>
/// <param name="Learning">Each layer's learning signal at the last evaluation, or null if none ran.</param>
public sealed record TrainingResult(RunState State, int Batches, IReadOnlyList<(int Batch, double Accuracy)> Accuracy, TimeSpan Elapsed, string? Failure, LayerLearning[]? Learning = null)
{
    /// <summary>The last test accuracy measured, or NaN if none.</summary>
    public double FinalAccuracy => Accuracy.Count == 0 ? double.NaN : Accuracy[^1].Accuracy;
}
