using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;
using Pcn.Network.Structure;

namespace Pcn.Network.Diagnostics;

/// <summary>
/// How far down the error signal reaches within one batch's inference in float32, predicted from the same inference
/// in double. At feedforward initialisation only the output has an error; each inference step moves z_ℓ by
/// −(β/B)·∂F/∂z_ℓ, and the error reaches one layer further down per step, shrinking by about β/B (times the layer's
/// gain) per layer. A float32 activity keeps a move only when it is at least half a unit in the last place (ulp) of
/// the activity: anything smaller rounds back to the same value, so z_ℓ stays exactly μ_ℓ, its error ε_ℓ stays exactly
/// 0, and W_ℓ gets no update. The prediction follows every sample's activities in double and, for each hidden layer,
/// takes the largest ratio |step·g| / (½·ulp(z) in float32) over its units, the samples and the T steps: a layer
/// whose ratio reaches 1 can move in float32. Weight layer ℓ receives a non-zero update when z_ℓ or z_{ℓ−1} moved (its
/// error ε_ℓ = z_ℓ − μ_ℓ(z_{ℓ−1}) is then non-zero), and the output layer always does. The float32 run does not follow
/// the double one exactly at the edge: a move of a few ulps is itself rounded, and the layer below learns of the
/// rounded value, so near the wavefront the float32 error can fall behind the double one by a factor of up to 2 per
/// layer. A layer within a factor <see cref="ReachPrediction.Margin"/> above the threshold is therefore called
/// borderline rather than predicted either way (with 10 instead, µPC at H = 128 and β = 10 had one layer predicted to
/// update that did not).
/// </summary>
public static class ErrorReach
{
    /// <summary>Follows inference for each sample and predicts which weight layers can receive a non-zero update.</summary>
    /// <param name="shape">The network.</param>
    /// <param name="weights">W_ℓ per layer, row-major (as initialised).</param>
    /// <param name="steps">T.</param>
    /// <param name="beta">β; the per-sample step is β/B.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="samples">(x, y) of the samples followed (a few of the batch suffice: the reach is a maximum).</param>
    public static ReachPrediction Predict(NetworkShape shape, IReadOnlyList<double[]> weights, int steps, double beta, int batchSize, IReadOnlyList<(double[] X, double[] Y)> samples)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int hidden = shape.LayerCount - 1;
        double step = beta / batchSize;
        double[] ratio = new double[hidden];
        foreach ((double[] x, double[] y) in samples)
        {
            (IReadOnlyList<double[]> feedforward, _) = ActivityHessian.Feedforward(shape, weights, x);
            double[][] z = [.. feedforward.Select(a => (double[])a.Clone())];
            for (int t = 0; t < steps; t++)
            {
                double[][] errors = Errors(shape, weights, x, y, z);
                for (int l = 1; l <= hidden; l++)
                {
                    double[] g = ActivityGradient(shape, weights, z, errors, l);
                    double[] zl = z[l - 1];
                    for (int j = 0; j < zl.Length; j++)
                    {
                        double move = step * g[j];
                        ratio[l - 1] = Math.Max(ratio[l - 1], Math.Abs(move) / HalfUlp(zl[j]));
                        zl[j] -= move;
                    }
                }
            }
        }

        return new ReachPrediction(ratio);
    }

    /// <summary>ε_ℓ for hidden layers and d_L for the output, at activities <paramref name="z"/>.</summary>
    private static double[][] Errors(NetworkShape shape, IReadOnlyList<double[]> weights, double[] x, double[] y, double[][] z)
    {
        var errors = new double[shape.LayerCount][];
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            double[] mu = ActivityHessian.Predict(shape[l], weights[l - 1], l == 1 ? x : z[l - 2], shape.Options.Activation);
            errors[l - 1] = shape[l].IsOutput ? ActivityHessian.OutputError(shape.Options.Loss, y, mu) : [.. z[l - 1].Select((v, k) => v - mu[k])];
        }

        return errors;
    }

    /// <summary>∂F/∂z_ℓ = ε_ℓ − φ′(z_ℓ)⊙(a_{ℓ+1}·W_{ℓ+1}ᵀd_{ℓ+1}) − s_{ℓ+1}·d_{ℓ+1} (spec §3).</summary>
    private static double[] ActivityGradient(NetworkShape shape, IReadOnlyList<double[]> weights, double[][] z, double[][] errors, int l)
    {
        LayerShape above = shape[l + 1];
        double[] w = weights[l], d = errors[l], e = errors[l - 1], zl = z[l - 1];
        double[] g = new double[zl.Length];
        for (int c = 0; c < zl.Length; c++)
        {
            double feedback = 0;
            for (int r = 0; r < above.OutputDim; r++)
            {
                feedback += w[(r * above.InputDim) + c] * d[r];
            }

            double slope = above.ActivatesInput ? ActivationFunctions.Slope(shape.Options.Activation, zl[c]) : 1.0;
            g[c] = e[c] - (slope * above.Scale * feedback) - (above.HasSkip ? d[c] : 0.0);
        }

        return g;
    }

    /// <summary>Half the spacing of float32 values at <paramref name="value"/>: a smaller move rounds back to it.</summary>
    private static double HalfUlp(double value)
    {
        float magnitude = Math.Abs((float)value);
        return 0.5 * (MathF.BitIncrement(magnitude) - magnitude);
    }
}

/// <summary>What <see cref="ErrorReach.Predict"/> says of one weight layer.</summary>
public enum ReachVerdict
{
    /// <summary>Its error stays exactly 0 in float32: no update.</summary>
    None,

    /// <summary>Its activity's largest move is within a factor <see cref="ReachPrediction.Margin"/> above half an ulp.</summary>
    Borderline,

    /// <summary>It receives a non-zero update.</summary>
    Update,
}

/// <summary>What <see cref="ErrorReach.Predict"/> found.</summary>
/// <param name="Headroom">
/// For each hidden layer ℓ = 1..L−1, the largest |β/B·∂F/∂z| over its units, samples and steps in units of half a
/// float32 ulp of the activity: ≥ 1 means z_ℓ can move in float32.
/// </param>
public sealed record ReachPrediction(IReadOnlyList<double> Headroom)
{
    /// <summary>How far above the threshold a layer's headroom must be for the prediction to call it updated.</summary>
    public const double Margin = 100;

    /// <summary>L, the number of weight layers.</summary>
    public int LayerCount => Headroom.Count + 1;

    /// <summary>The lowest weight layer predicted to receive a non-zero update (L when no hidden activity moves for certain).</summary>
    public int LowestUpdated => Lowest(Margin);

    /// <summary>The lowest weight layer that may receive one (headroom ≥ 1).</summary>
    public int LowestPossible => Lowest(1);

    /// <summary>The prediction for weight layer <paramref name="layer"/>.</summary>
    public ReachVerdict Verdict(int layer) => layer >= LowestUpdated ? ReachVerdict.Update : layer >= LowestPossible ? ReachVerdict.Borderline : ReachVerdict.None;

    /// <summary>Whether what a float32 batch recorded (<paramref name="updated"/>, ℓ = 1..L) agrees: every layer predicted to update did, and none predicted not to.</summary>
    public bool AgreesWith(IReadOnlyList<bool> updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        return Enumerable.Range(1, LayerCount).All(l => Verdict(l) switch
        {
            ReachVerdict.Update => updated[l - 1],
            ReachVerdict.None => !updated[l - 1],
            _ => true,
        });
    }

    private int Lowest(double threshold)
    {
        int lowest = Enumerable.Range(1, Headroom.Count).FirstOrDefault(l => Headroom[l - 1] >= threshold);
        return lowest == 0 ? LayerCount : lowest;
    }
}
