using Pcn.Abstractions.Messages;

namespace Pcn.Network.Training;

/// <summary>What one training batch produced.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Batch">1-based count of batches trained so far in the run.</param>
/// <param name="TotalBatches">Batches the run will train in all.</param>
/// <param name="TrainLoss">The feedforward train loss of the batch, before its update (½·mean_i‖y − ŷ‖² for MSE).</param>
/// <param name="LayerEnergies">E_ℓ/B after inference, natural order ℓ = 1..L (PC); null for backprop.</param>
/// <param name="TestAccuracy">Test accuracy in percent when evaluated after this batch, else null.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
/// <param name="Learning">Each layer's learning signal (ℓ = 1..L) when measured after this batch, else null.</param>
public sealed record BatchReport(int Epoch, int Batch, int TotalBatches, double TrainLoss, double[]? LayerEnergies, double? TestAccuracy, TimeSpan Elapsed, LayerLearning[]? Learning = null)
{
    /// <summary>Σ_ℓ E_ℓ/B, the total energy after inference (PC), or NaN for backprop.</summary>
    public double TotalEnergy => LayerEnergies?.Sum() ?? double.NaN;
}
