using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;
using Pcn.Network.Structure;

namespace Pcn.Network.Diagnostics;

/// <summary>
/// The Hessian of one sample's energy with respect to the hidden activities z_1..z_{L−1} (spec §8), in double, built
/// analytically: with J_{ℓ+1} = ∂μ_{ℓ+1}/∂z_ℓ = a_{ℓ+1}·W_{ℓ+1}·diag(φ′(z_ℓ)) + s_{ℓ+1}·I, the diagonal blocks are
/// I + J_{ℓ+1}ᵀ·H_out·J_{ℓ+1} − diag(a_{ℓ+1}·(W_{ℓ+1}ᵀd_{ℓ+1})⊙φ″(z_ℓ)) (H_out = I for hidden targets and MSE, the
/// softmax Hessian for CE; the first block's identity comes from ε_ℓ itself) and the off-diagonal blocks −J_{ℓ+1}ᵀ.
/// </summary>
public static class ActivityHessian
{
    /// <summary>
    /// The (N·H)×(N·H) Hessian at activities <paramref name="activities"/> (z_ℓ of this sample, ℓ = 1..L−1) for input
    /// <paramref name="x"/> and target <paramref name="y"/>; weights row-major per layer.
    /// </summary>
    public static double[] Compute(NetworkShape shape, IReadOnlyList<double[]> weights, ReadOnlySpan<double> x, ReadOnlySpan<double> y, IReadOnlyList<double[]> activities)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(activities);
        NetworkOptions o = shape.Options;
        int hidden = shape.LayerCount - 1, width = o.Width, n = hidden * width;
        double[] h = new double[n * n];

        // Errors d_ℓ (ε for hidden layers, y − ŷ or the CE form for the output) at these activities.
        var errors = new double[shape.LayerCount][];
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            LayerShape layer = shape[l];
            double[] below = l == 1 ? x.ToArray() : activities[l - 2];
            double[] mu = Predict(layer, weights[l - 1], below, o.Activation);
            errors[l - 1] = layer.IsOutput ? OutputError(o.Loss, y, mu) : Subtract(activities[l - 1], mu);
        }

        for (int l = 1; l <= hidden; l++)
        {
            LayerShape above = shape[l + 1];
            double[] z = activities[l - 1];
            double[] j = Jacobian(above, weights[l], z, o.Activation);         // rows: above.OutputDim, cols: width
            double[] curvature = above.IsOutput ? OutputCurvature(o.Loss, Predict(above, weights[l], z, o.Activation), y) : Identity(above.OutputDim);
            int offset = (l - 1) * width;

            // I + Jᵀ·C·J on the diagonal block.
            for (int r = 0; r < width; r++)
            {
                h[((offset + r) * n) + offset + r] += 1.0;
                for (int c = 0; c < width; c++)
                {
                    double sum = 0;
                    for (int p = 0; p < above.OutputDim; p++)
                    {
                        for (int q = 0; q < above.OutputDim; q++)
                        {
                            sum += j[(p * width) + r] * curvature[(p * above.OutputDim) + q] * j[(q * width) + c];
                        }
                    }

                    h[((offset + r) * n) + offset + c] += sum;
                }
            }

            // −a·(Wᵀd)⊙φ″(z): the second derivative of μ_{ℓ+1} along the error of layer ℓ+1.
            double[] d = errors[l];
            for (int r = 0; r < width; r++)
            {
                double wtd = 0;
                for (int p = 0; p < above.OutputDim; p++)
                {
                    wtd += weights[l][(p * width) + r] * d[p];
                }

                h[((offset + r) * n) + offset + r] -= above.Scale * wtd * SecondDerivative(o.Activation, z[r]);
            }

            if (!above.IsOutput)
            {
                // Off-diagonal blocks −Jᵀ (row ℓ, column ℓ+1) and −J (row ℓ+1, column ℓ).
                int next = l * width;
                for (int r = 0; r < width; r++)
                {
                    for (int c = 0; c < width; c++)
                    {
                        h[((offset + r) * n) + next + c] = -j[(c * width) + r];
                        h[((next + c) * n) + offset + r] = -j[(c * width) + r];
                    }
                }
            }
        }

        return h;
    }

    /// <summary>
    /// The feedforward pass for input <paramref name="x"/>: the hidden activities z_ℓ = μ_ℓ (ℓ = 1..L−1), where every
    /// hidden error is 0, and the output prediction μ_L; the point at which `pcn diagnose` takes the Hessian.
    /// </summary>
    public static (IReadOnlyList<double[]> Hidden, double[] Output) Feedforward(NetworkShape shape, IReadOnlyList<double[]> weights, ReadOnlySpan<double> x)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(weights);
        var hidden = new List<double[]>(shape.LayerCount - 1);
        double[] below = x.ToArray();
        for (int l = 1; l < shape.LayerCount; l++)
        {
            below = Predict(shape[l], weights[l - 1], below, shape.Options.Activation);
            hidden.Add(below);
        }

        return (hidden, Predict(shape[shape.LayerCount], weights[^1], below, shape.Options.Activation));
    }

    /// <summary>κ = |λ|max / |λ|min of the Hessian, with the extreme eigenvalues.</summary>
    public static (double Condition, double Smallest, double Largest) Condition(double[] hessian, int n)
    {
        double[] eigenvalues = SymmetricEigenvalues.Compute(hessian, n);
        double largest = eigenvalues.Max(Math.Abs), smallest = eigenvalues.Min(Math.Abs);
        return (largest / smallest, eigenvalues[0], eigenvalues[^1]);
    }

    internal static double[] Predict(LayerShape layer, double[] w, double[] below, Activation activation)
    {
        double[] mu = new double[layer.OutputDim];
        for (int r = 0; r < layer.OutputDim; r++)
        {
            double sum = 0;
            for (int c = 0; c < layer.InputDim; c++)
            {
                sum += w[(r * layer.InputDim) + c] * (layer.ActivatesInput ? ActivationFunctions.Value(activation, below[c]) : below[c]);
            }

            mu[r] = (layer.Scale * sum) + (layer.HasSkip ? below[r] : 0.0);
        }

        return mu;
    }

    private static double[] Jacobian(LayerShape layer, double[] w, double[] z, Activation activation)
    {
        double[] j = new double[layer.OutputDim * layer.InputDim];
        for (int r = 0; r < layer.OutputDim; r++)
        {
            for (int c = 0; c < layer.InputDim; c++)
            {
                j[(r * layer.InputDim) + c] = (layer.Scale * w[(r * layer.InputDim) + c] * ActivationFunctions.Slope(activation, z[c])) + (layer.HasSkip && r == c ? 1.0 : 0.0);
            }
        }

        return j;
    }

    internal static double[] OutputError(LossKind loss, ReadOnlySpan<double> y, double[] logits)
    {
        double[] d = new double[logits.Length];
        if (loss == LossKind.Mse)
        {
            for (int k = 0; k < d.Length; k++)
            {
                d[k] = y[k] - logits[k];
            }

            return d;
        }

        double[] p = Softmax(logits);
        double ySum = 0;
        foreach (double v in y)
        {
            ySum += v;
        }

        for (int k = 0; k < d.Length; k++)
        {
            d[k] = y[k] - (p[k] * ySum);
        }

        return d;
    }

    /// <summary>∂²E_L/∂ŷ²: I for MSE; (Σy)·(diag(p) − p·pᵀ) for CE.</summary>
    private static double[] OutputCurvature(LossKind loss, double[] logits, ReadOnlySpan<double> y)
    {
        int k = logits.Length;
        if (loss == LossKind.Mse)
        {
            return Identity(k);
        }

        double[] p = Softmax(logits), c = new double[k * k];
        double ySum = 0;
        foreach (double v in y)
        {
            ySum += v;
        }

        for (int r = 0; r < k; r++)
        {
            for (int q = 0; q < k; q++)
            {
                c[(r * k) + q] = ySum * (((r == q) ? p[r] : 0.0) - (p[r] * p[q]));
            }
        }

        return c;
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max(), sum = 0;
        double[] p = logits.Select(v => Math.Exp(v - max)).ToArray();
        foreach (double v in p)
        {
            sum += v;
        }

        return p.Select(v => v / sum).ToArray();
    }

    private static double[] Identity(int k)
    {
        double[] m = new double[k * k];
        for (int i = 0; i < k; i++)
        {
            m[(i * k) + i] = 1.0;
        }

        return m;
    }

    private static double[] Subtract(double[] a, double[] b) => a.Select((v, i) => v - b[i]).ToArray();

    /// <summary>φ″ by a central difference of the exact φ′ (h = 1e-5): ReLU-like kinks give 0 away from the kink.</summary>
    private static double SecondDerivative(Activation activation, double x)
    {
        if (activation is Activation.Linear or Activation.Relu or Activation.LeakyRelu or Activation.HardTanh)
        {
            return 0.0;
        }

        const double H = 1e-5;
        return (ActivationFunctions.Slope(activation, x + H) - ActivationFunctions.Slope(activation, x - H)) / (2 * H);
    }
}
