using Pcn.Abstractions.Options;

namespace Pcn.Network.Training;

/// <summary>
/// The factor f in a layer's weight gradient <c>G = f·a_ℓ·dᵀu</c>, shared by the single-process trainer and the
/// grains so both compute identical bits.
/// </summary>
public static class GradientFactors
{
    /// <summary>PC: ∂F/∂W_ℓ = −(1/B)·a_ℓ·dᵀu, because F is a batch mean (spec §2.1).</summary>
    public static double PredictiveCoding(int batch) => -1.0 / batch;

    /// <summary>
    /// Backprop with the baseline's loss (train_bpn.py): the error e carried down is −∂loss/∂μ divided by c, where
    /// c = 2/(B·d_y) for the MSE mean over all elements and 1/B for cross-entropy, so ∂loss/∂W_ℓ = −c·a_ℓ·eᵀu.
    /// </summary>
    public static double Backprop(LossKind loss, int batch, int outputDim) =>
        loss == LossKind.Mse ? -2.0 / ((double)batch * outputDim) : -1.0 / batch;
}
