namespace Pcn.Abstractions.Messages;

/// <summary>What one batch produced, as the coordinator records it.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Batch">1-based count of batches trained.</param>
/// <param name="TrainLoss">Feedforward train loss before the update.</param>
/// <param name="LayerEnergies">E_ℓ/B after inference, ℓ = 1..L (PC); empty for backprop.</param>
/// <param name="TestAccuracy">Test accuracy (percent) if evaluated after this batch.</param>
/// <param name="ElapsedSeconds">Seconds since the run started.</param>
/// <param name="Learning">Each layer's learning signal (ℓ = 1..L) when measured after this batch (with every test
/// accuracy), else null.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.batch-summary")]
public sealed record BatchSummary(
    [property: Id(0)] int Epoch,
    [property: Id(1)] int Batch,
    [property: Id(2)] double TrainLoss,
    [property: Id(3)] double[] LayerEnergies,
    [property: Id(4)] double? TestAccuracy,
    [property: Id(5)] double ElapsedSeconds,
    [property: Id(6)] LayerLearning[]? Learning = null);
