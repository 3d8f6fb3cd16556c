using Pcn.Abstractions.Options;
using Pcn.Data;

namespace Pcn.Network.Structure;

/// <summary>
/// Initial weights (spec §1.2), reproducible everywhere: layer ℓ draws from <see cref="SeededGenerator"/> with
/// (seed = network seed, stream = ℓ), row by row (row = output unit). sp: U(−1/√fan_in, +1/√fan_in), one
/// <c>NextUniform</c> per entry. mupc and depth_mup: N(0, 1), one <c>NextGaussian</c> per entry. Values are drawn in
/// double and rounded by the backend, so every backend starts from the same numbers.
/// </summary>
public static class WeightInitialiser
{
    /// <summary>W_ℓ, row-major OutputDim × InputDim.</summary>
    public static double[] Initial(NetworkOptions options, LayerShape layer)
    {
        var generator = new SeededGenerator(options.Seed, (ulong)layer.Index);
        double[] weights = new double[layer.OutputDim * layer.InputDim];
        if (options.Parameterisation == Parameterisation.Sp)
        {
            double bound = 1.0 / Math.Sqrt(layer.InputDim);
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = generator.NextUniform(-bound, bound);
            }
        }
        else
        {
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = generator.NextGaussian();
            }
        }

        return weights;
    }
}
