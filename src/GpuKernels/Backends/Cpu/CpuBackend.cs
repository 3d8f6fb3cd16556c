using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pcn.Abstractions.Options;

namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>
/// The float32 CPU backend: products through the register-tiled <see cref="Gemm"/> (split over the cores when large),
/// element-wise work through TensorPrimitives and Vector512. Operations allocate nothing once per-thread scratch
/// has grown, and every result is bit-reproducible (fixed summation order, independent of threading).
/// </summary>
public sealed unsafe class CpuBackend : IPcBackend
{
    /// <summary>Creates the backend.</summary>
    /// <param name="parallelProducts">
    /// Split large products over the cores (the default). Inside a silo the layer grains' products share the same
    /// pool: a product started while another runs is published, and an idle core helps with it.
    /// </param>
    public CpuBackend(bool parallelProducts = true)
    {
        ParallelProducts = parallelProducts;
    }

    /// <summary>Whether large products are split over the cores.</summary>
    public bool ParallelProducts { get; }

    /// <inheritdoc/>
    public string Name => "cpu";

    /// <inheritdoc/>
    public Tensor Allocate(int rows, int columns) => new CpuTensor(rows, columns);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        source.CopyTo(Data(destination, nameof(Upload)));
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<double> source, Tensor destination)
    {
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        TensorPrimitives.ConvertTruncating(source, Data(destination, nameof(Upload)).AsSpan());
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        Data(source, nameof(Download)).CopyTo(destination);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<double> destination)
    {
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        TensorPrimitives.ConvertChecked<float, double>(Data(source, nameof(Download)), destination);
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        ShapeCheck.Same(nameof(Copy), "source", source, "destination", destination);
        Data(source, nameof(Copy)).CopyTo(Data(destination, nameof(Copy)), 0);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Transpose(Tensor source, Tensor destination)
    {
        ShapeCheck.Is(nameof(Transpose), "destination", destination, source.Columns, source.Rows);
        int rows = source.Rows, columns = source.Columns;
        const int Block = 16;
        fixed (float* s = Data(source, nameof(Transpose)), d = Data(destination, nameof(Transpose)))
        {
            // 16×16 blocks: the source block's rows are read contiguously, the destination's 16 rows stay in L1.
            for (int r0 = 0; r0 < rows; r0 += Block)
            {
                int rEnd = Math.Min(rows, r0 + Block);
                for (int c0 = 0; c0 < columns; c0 += Block)
                {
                    int cEnd = Math.Min(columns, c0 + Block);
                    for (int r = r0; r < rEnd; r++)
                    {
                        float* from = s + ((long)r * columns);
                        float* to = d + r;
                        for (int c = c0; c < cEnd; c++)
                        {
                            to[(long)c * rows] = from[c];
                        }
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor activity, Tensor output)
    {
        ShapeCheck.Same(nameof(Activate), "activity", activity, "output", output);
        CpuActivations.Apply(activation, Data(activity, nameof(Activate)), Data(output, nameof(Activate)));
    }

    /// <inheritdoc/>
    public void Predict(double scale, Tensor input, Tensor weightsTransposed, Tensor? residual, Tensor prediction)
    {
        ShapeCheck.Is(nameof(Predict), "Wᵀ", weightsTransposed, input.Columns, prediction.Columns);
        ShapeCheck.Is(nameof(Predict), "μ", prediction, input.Rows, weightsTransposed.Columns);
        if (residual is not null)
        {
            ShapeCheck.Same(nameof(Predict), "residual", residual, "μ", prediction);
        }

        fixed (float* u = Data(input, nameof(Predict)), wt = Data(weightsTransposed, nameof(Predict)), mu = Data(prediction, nameof(Predict)))
        fixed (float* skip = residual is null ? null : Data(residual, nameof(Predict)))
        {
            GemmWork.Run(ParallelProducts, prediction.Rows, input.Columns, prediction.Columns, (float)scale, u, input.Columns, 1, wt, skip, mu);
        }
    }

    /// <inheritdoc/>
    public double PredictionError(Tensor activity, Tensor prediction, Tensor error)
    {
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "μ", prediction);
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "ε", error);
        return 0.5 * CpuFused.SubtractAndSumSquares(Data(activity, nameof(PredictionError)), Data(prediction, nameof(PredictionError)), Data(error, nameof(PredictionError)));
    }

    /// <inheritdoc/>
    public double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error)
    {
        ShapeCheck.Same(nameof(OutputError), "y", target, "ŷ", logits);
        ShapeCheck.Same(nameof(OutputError), "y", target, "d", error);
        float[] y = Data(target, nameof(OutputError));
        float[] yHat = Data(logits, nameof(OutputError));
        float[] d = Data(error, nameof(OutputError));
        if (loss == LossKind.Mse)
        {
            return 0.5 * CpuFused.SubtractAndSumSquares(y, yHat, d);
        }

        int classes = target.Columns;
        double energy = 0;
        for (int i = 0; i < target.Rows; i++)
        {
            ReadOnlySpan<float> yRow = y.AsSpan(i * classes, classes), logitRow = yHat.AsSpan(i * classes, classes);
            Span<float> dRow = d.AsSpan(i * classes, classes);
            float max = TensorPrimitives.Max(logitRow);
            float ySum = TensorPrimitives.Sum(yRow);
            double expSum = 0;
            for (int k = 0; k < classes; k++)
            {
                expSum += MathF.Exp(logitRow[k] - max);
            }

            float logNorm = (float)(max + Math.Log(expSum));
            for (int k = 0; k < classes; k++)
            {
                float logSoftmax = logitRow[k] - logNorm;
                energy -= yRow[k] * logSoftmax;
                dRow[k] = yRow[k] - (MathF.Exp(logSoftmax) * ySum);
            }
        }

        return energy;
    }

    /// <inheritdoc/>
    public void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback)
    {
        ShapeCheck.Is(nameof(Feedback), "W", weights, error.Columns, feedback.Columns);
        ShapeCheck.Is(nameof(Feedback), "fb", feedback, error.Rows, weights.Columns);
        fixed (float* d = Data(error, nameof(Feedback)), w = Data(weights, nameof(Feedback)), fb = Data(feedback, nameof(Feedback)))
        {
            GemmWork.Run(ParallelProducts, error.Rows, error.Columns, weights.Columns, (float)scale, d, error.Columns, 1, w, null, fb);
        }
    }

    /// <inheritdoc/>
    public double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated)
    {
        ShapeCheck.ActivityStep(activity, error, feedback, errorAbove, updated);
        Span<float> z = Data(activity, nameof(ActivityStep));
        Span<float> next = Data(updated, nameof(ActivityStep));
        double? fused = CpuFused.TryActivityStep(activation, (float)step, z, Data(error, nameof(ActivityStep)), Data(feedback, nameof(ActivityStep)), errorAbove is null ? default : Data(errorAbove, nameof(ActivityStep)), next);
        if (fused is double squares)
        {
            return squares;
        }

        Span<float> g = CpuActivations.Scratch(z.Length);
        CpuActivations.MultiplySlope(activation, z, Data(feedback, nameof(ActivityStep)), g);
        TensorPrimitives.Subtract(Data(error, nameof(ActivityStep)), g, g);
        if (errorAbove is not null)
        {
            TensorPrimitives.Subtract(g, Data(errorAbove, nameof(ActivityStep)), g);
        }

        TensorPrimitives.MultiplyAdd(g, (float)-step, z, next);
        return TensorPrimitives.SumOfSquares<float>(g);
    }

    /// <inheritdoc/>
    public void Backpropagate(Activation activation, Tensor activity, Tensor feedback, Tensor? errorAbove, Tensor error)
    {
        ShapeCheck.Same(nameof(Backpropagate), "z", activity, "fb", feedback);
        ShapeCheck.Same(nameof(Backpropagate), "z", activity, "e", error);
        Span<float> e = Data(error, nameof(Backpropagate));
        CpuActivations.MultiplySlope(activation, Data(activity, nameof(Backpropagate)), Data(feedback, nameof(Backpropagate)), e);
        if (errorAbove is not null)
        {
            ShapeCheck.Same(nameof(Backpropagate), "z", activity, "e_above", errorAbove);
            TensorPrimitives.Add(e, Data(errorAbove, nameof(Backpropagate)), e);
        }
    }

    /// <inheritdoc/>
    public void WeightGradient(double scale, Tensor error, Tensor input, Tensor gradient)
    {
        ShapeCheck.Is(nameof(WeightGradient), "u", input, error.Rows, gradient.Columns);
        ShapeCheck.Is(nameof(WeightGradient), "G", gradient, error.Columns, input.Columns);
        fixed (float* d = Data(error, nameof(WeightGradient)), u = Data(input, nameof(WeightGradient)), g = Data(gradient, nameof(WeightGradient)))
        {
            // op(A) = dᵀ: element (j, i) of dᵀ is d[i·N_out + j], so the row stride is 1 and the column stride N_out.
            GemmWork.Run(ParallelProducts, error.Columns, error.Rows, input.Columns, (float)scale, d, 1, error.Columns, u, null, g);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "G", gradient);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "m", firstMoment);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "v", secondMoment);
        float[] w = Data(weights, nameof(AdamStep)), g = Data(gradient, nameof(AdamStep));
        float[] m = Data(firstMoment, nameof(AdamStep)), v = Data(secondMoment, nameof(AdamStep));
        float b1 = (float)parameters.Beta1, b2 = (float)parameters.Beta2, eps = (float)parameters.Epsilon, lr = (float)parameters.LearningRate;
        float c1 = (float)parameters.FirstMomentCorrection, c2 = (float)parameters.SecondMomentCorrection;
        int i = 0;
        double squares = 0;
        fixed (float* pw = w, pg = g, pm = m, pv = v)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> sum = default;
                for (; i + 16 <= w.Length; i += 16)
                {
                    Vector512<float> gi = Vector512.Load(pg + i);
                    Vector512<float> mi = (Vector512.Load(pm + i) * b1) + (gi * (1f - b1));
                    Vector512<float> vi = (Vector512.Load(pv + i) * b2) + (gi * gi * (1f - b2));
                    Vector512<float> update = mi * c1 / (Vector512.Sqrt(vi * c2) + Vector512.Create(eps)) * lr;
                    mi.Store(pm + i);
                    vi.Store(pv + i);
                    (Vector512.Load(pw + i) - update).Store(pw + i);
                    sum = Vector512.FusedMultiplyAdd(update, update, sum);
                }

                squares = Vector512.Sum(sum);
            }

            for (; i < w.Length; i++)
            {
                pm[i] = (pm[i] * b1) + (pg[i] * (1f - b1));
                pv[i] = (pv[i] * b2) + (pg[i] * pg[i] * (1f - b2));
                float update = pm[i] * c1 / (MathF.Sqrt(pv[i] * c2) + eps) * lr;
                pw[i] -= update;
                squares += update * update;
            }
        }

        return squares;
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor tensor) => TensorPrimitives.SumOfSquares<float>(Data(tensor, nameof(SumOfSquares)));

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static float[] Data(Tensor tensor, string operation) => ShapeCheck.Own<CpuTensor>(tensor, operation).Data;
}
