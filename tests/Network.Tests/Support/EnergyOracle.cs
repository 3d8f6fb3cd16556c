using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;
using Pcn.Network.Structure;

namespace Pcn.Network.Tests.Support;

/// <summary>
/// The total energy F of spec §2 written directly from its definition, sample by sample, in double and independent
/// of every backend: F = (1/B) Σ_i [ Σ_{ℓ<L} ½‖z_iℓ − μ_iℓ‖² + E_L ]. Finite differences of this function are the
/// oracle for the backends' activity and weight gradients.
/// </summary>
public static class EnergyOracle
{
    /// <param name="shape">The network.</param>
    /// <param name="weights">W_ℓ row-major, index ℓ−1.</param>
    /// <param name="x">B × D.</param>
    /// <param name="y">B × d_y.</param>
    /// <param name="activities">z_ℓ (B × N) for ℓ = 1..L−1, index ℓ−1.</param>
    public static double Total(NetworkShape shape, double[][] weights, double[] x, double[] y, double[][] activities, int batch)
    {
        NetworkOptions o = shape.Options;
        double total = 0;
        for (int i = 0; i < batch; i++)
        {
            double[] below = x.AsSpan(i * o.InputDim, o.InputDim).ToArray();
            foreach (LayerShape layer in shape.Layers)
            {
                double[] mu = new double[layer.OutputDim];
                for (int r = 0; r < layer.OutputDim; r++)
                {
                    double sum = 0;
                    for (int c = 0; c < layer.InputDim; c++)
                    {
                        double u = layer.Index == 1 ? below[c] : ActivationFunctions.Value(o.Activation, below[c]);
                        sum += weights[layer.Index - 1][(r * layer.InputDim) + c] * u;
                    }

                    mu[r] = (layer.Scale * sum) + (layer.HasSkip ? below[r] : 0.0);
                }

                if (layer.IsOutput)
                {
                    total += OutputEnergy(o.Loss, y.AsSpan(i * o.OutputDim, o.OutputDim), mu);
                    break;
                }

                double[] z = activities[layer.Index - 1].AsSpan(i * layer.OutputDim, layer.OutputDim).ToArray();
                for (int r = 0; r < z.Length; r++)
                {
                    total += 0.5 * (z[r] - mu[r]) * (z[r] - mu[r]);
                }

                below = z;
            }
        }

        return total / batch;
    }

    private static double OutputEnergy(LossKind loss, ReadOnlySpan<double> y, double[] logits)
    {
        double e = 0;
        if (loss == LossKind.Mse)
        {
            for (int k = 0; k < logits.Length; k++)
            {
                e += 0.5 * (y[k] - logits[k]) * (y[k] - logits[k]);
            }

            return e;
        }

        double logSumExp = Math.Log(logits.Sum(Math.Exp));
        for (int k = 0; k < logits.Length; k++)
        {
            e -= y[k] * (logits[k] - logSumExp);
        }

        return e;
    }
}
