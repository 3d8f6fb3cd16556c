using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;

namespace Pcn.GpuKernels.Tests.Support;

/// <summary>
/// One check per backend operation: the same random inputs on the reference and the tested backend, compared element
/// by element (float32 against double: 1e-5 relative plus 1e-6 absolute, the absolute part times K for sums of K terms).
/// </summary>
public static class BackendChecks
{
    public static void CheckPredict(BackendHarness h, int batch, int nIn, int nOut, bool withResidual, double scale)
    {
        using Twin u = h.Random(batch, nIn);
        using Twin wt = h.Random(nIn, nOut);
        using Twin? residual = withResidual ? h.Random(batch, nOut) : null;
        using Twin mu = h.Random(batch, nOut);

        h.Both((b, t) => b.Predict(scale, t(u), t(wt), residual is null ? null : t(residual), t(mu)));

        h.AssertClose(mu, $"Predict B={batch} {nIn}→{nOut} residual={withResidual}", BackendHarness.Float32Absolute * Math.Max(1, nIn));
    }

    public static void CheckPredictionError(BackendHarness h, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns);
        using Twin mu = h.Random(rows, columns);
        using Twin eps = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.PredictionError(t(z), t(mu), t(eps)));

        h.AssertClose(eps, $"ε {rows}×{columns}");
        BackendHarness.AssertScalarClose(expected, actual, $"½‖ε‖² {rows}×{columns}", BackendHarness.Float32Absolute * rows * columns);
    }

    public static void CheckOutputError(BackendHarness h, LossKind loss, int rows, int columns)
    {
        // Odd rows one-hot, even rows soft targets whose sum is not 1 (d = y − softmax·Σy).
        double[] targets = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < columns; k++)
            {
                targets[(i * columns) + k] = i % 2 == 1 ? (k == (i * 7) % columns ? 1.0 : 0.0) : h.Next(0, 1);
            }
        }

        using Twin y = h.From(rows, columns, targets);
        using Twin logits = h.Random(rows, columns, -5, 5);
        using Twin d = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.OutputError(loss, t(y), t(logits), t(d)));

        h.AssertClose(d, $"d {loss} {rows}×{columns}");
        BackendHarness.AssertScalarClose(expected, actual, $"energy {loss} {rows}×{columns}", BackendHarness.Float32Absolute * rows * columns);
    }

    public static void CheckFeedback(BackendHarness h, int batch, int nIn, int nOut, double scale)
    {
        using Twin d = h.Random(batch, nOut);
        using Twin w = h.Random(nOut, nIn);
        using Twin fb = h.Random(batch, nIn);

        h.Both((b, t) => b.Feedback(scale, t(d), t(w), t(fb)));

        h.AssertClose(fb, $"Feedback B={batch} {nIn}←{nOut}", BackendHarness.Float32Absolute * Math.Max(1, nOut));
    }

    /// <summary>
    /// One activity step against the reference, in place or into a second tensor (the double-buffered z of a layer); out
    /// of place, z itself must come back untouched.
    /// </summary>
    public static void CheckActivityStep(BackendHarness h, Activation activation, bool withErrorAbove, int rows, int columns, bool inPlace = true)
    {
        using Twin z = h.Random(rows, columns, -3, 3);
        using Twin original = h.Zeros(rows, columns);
        h.Both((b, t) => b.Copy(t(z), t(original)));
        using Twin eps = h.Random(rows, columns);
        using Twin fb = h.Random(rows, columns);
        using Twin? above = withErrorAbove ? h.Random(rows, columns) : null;
        using Twin next = h.Zeros(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.ActivityStep(activation, 0.3, t(z), t(eps), t(fb), above is null ? null : t(above), inPlace ? t(z) : t(next)));

        // Σg² is reported for metrics; ILGPU recovers it from the move Δz, which costs a few digits.
        string label = $"{activation} above={withErrorAbove} {rows}×{columns} {(inPlace ? "in place" : "out of place")}";
        BackendHarness.AssertScalarClose(expected, actual, $"Σg² {label}", BackendHarness.Float32Absolute * rows * columns, 1e-3);

        h.AssertClose(inPlace ? z : next, $"ActivityStep {label}");
        if (!inPlace)
        {
            h.AssertClose(z, $"z after an out-of-place ActivityStep {label}", absolute: 0, relative: 0);
        }
    }

    public static void CheckBackpropagate(BackendHarness h, Activation activation, bool withErrorAbove, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns, -3, 3);
        using Twin fb = h.Random(rows, columns);
        using Twin? above = withErrorAbove ? h.Random(rows, columns) : null;
        using Twin e = h.Random(rows, columns);

        h.Both((b, t) => b.Backpropagate(activation, t(z), t(fb), above is null ? null : t(above), t(e)));

        h.AssertClose(e, $"Backpropagate {activation} above={withErrorAbove} {rows}×{columns}");
    }

    public static void CheckWeightGradient(BackendHarness h, int batch, int nIn, int nOut, double scale)
    {
        using Twin d = h.Random(batch, nOut);
        using Twin u = h.Random(batch, nIn);
        using Twin g = h.Random(nOut, nIn);

        h.Both((b, t) => b.WeightGradient(scale, t(d), t(u), t(g)));

        h.AssertClose(g, $"WeightGradient B={batch} {nIn}→{nOut}", BackendHarness.Float32Absolute * batch);
    }

    public static void CheckAdam(BackendHarness h, int rows, int columns, int steps)
    {
        using Twin w = h.Random(rows, columns);
        using Twin m = h.Zeros(rows, columns);
        using Twin v = h.Zeros(rows, columns);
        for (int step = 1; step <= steps; step++)
        {
            using Twin g = h.Random(rows, columns, -0.1, 0.1);
            var parameters = new AdamStepParameters(1e-2, 0.9, 0.999, 1e-8, step);

            (double expected, double actual) = h.Both((b, t) => b.AdamStep(parameters, t(w), t(g), t(m), t(v)));
            BackendHarness.AssertScalarClose(expected, actual, $"Σ(ΔW)², step {step}, {rows}×{columns}", BackendHarness.Float32Absolute * rows * columns, 1e-3);

            h.AssertClose(m, $"Adam m, step {step}, {rows}×{columns}");
            h.AssertClose(v, $"Adam v, step {step}, {rows}×{columns}");
            h.AssertClose(w, $"Adam W, step {step}, {rows}×{columns}");
        }
    }

    public static void CheckSumOfSquares(BackendHarness h, int rows, int columns)
    {
        using Twin x = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.SumOfSquares(t(x)));

        BackendHarness.AssertScalarClose(expected, actual, $"Σx² {rows}×{columns}", 0);
    }

    public static void CheckActivate(BackendHarness h, Activation activation, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns, -4, 4);
        using Twin u = h.Zeros(rows, columns);

        h.Both((b, t) => b.Activate(activation, t(z), t(u)));

        h.AssertClose(u, $"Activate {activation} {rows}×{columns}");
    }

    public static void CheckCopyAndTranspose(BackendHarness h, int rows, int columns)
    {
        using Twin source = h.Random(rows, columns);
        using Twin copy = h.Random(rows, columns);
        using Twin transposed = h.Zeros(columns, rows);

        h.Both((b, t) => b.Copy(t(source), t(copy)));
        h.Both((b, t) => b.Transpose(t(source), t(transposed)));

        h.AssertClose(copy, $"Copy {rows}×{columns}", absolute: 0, relative: 0);
        h.AssertClose(transposed, $"Transpose {rows}×{columns}", absolute: 0, relative: 0);
    }

}
