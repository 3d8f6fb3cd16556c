namespace Pcn.Network.Structure;

/// <summary>
/// One weight layer ℓ of the residual network (spec §1.1): <c>μ_ℓ = a_ℓ·W_ℓ·φ_ℓ(z_{ℓ−1}) + s_ℓ·z_{ℓ−1}</c>,
/// with W_ℓ of OutputDim × InputDim.
/// </summary>
/// <param name="Index">ℓ, 1-based: 1 reads the input x, L writes the prediction ŷ.</param>
/// <param name="InputDim">Columns of W_ℓ (D for ℓ = 1, N otherwise).</param>
/// <param name="OutputDim">Rows of W_ℓ (d_y for ℓ = L, N otherwise).</param>
/// <param name="Scale">The multiplier a_ℓ.</param>
/// <param name="HasSkip">s_ℓ = 1: an identity residual from z_{ℓ−1} (only 2 ≤ ℓ ≤ L−1, when skips are on).</param>
/// <param name="IsOutput">ℓ = L: its activity is the prediction ŷ, not a free variable.</param>
public sealed record LayerShape(int Index, int InputDim, int OutputDim, double Scale, bool HasSkip, bool IsOutput)
{
    /// <summary>Layer 1 applies no activation to the clamped input; every later layer applies φ.</summary>
    public bool ActivatesInput => Index > 1;

    /// <summary>Multiply-adds of one prediction or one feedback product for a batch of <paramref name="batch"/> rows.</summary>
    public long ProductMultiplyAdds(int batch) => (long)batch * InputDim * OutputDim;
}
