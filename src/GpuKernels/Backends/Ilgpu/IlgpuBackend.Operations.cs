using ILGPU;
using ILGPU.Runtime;
using Pcn.Abstractions.Options;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>The operations of <see cref="IPcBackend"/>: the reference backend's shape checks, then one launch each.</summary>
public sealed partial class IlgpuBackend
{
    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        ShapeCheck.Same(nameof(Copy), "source", source, "destination", destination);
        IlgpuTensor s = Own(source, nameof(Copy));
        IlgpuTensor d = Own(destination, nameof(Copy));
        if (s.Length == 0 || ReferenceEquals(s, d))
        {
            return;
        }

        lock (_gate)
        {
            Enter();
            WaitForKernels();
            s.View.CopyTo(d.View);
            _accelerator.Synchronize();
        }
    }

    /// <inheritdoc/>
    public void Transpose(Tensor source, Tensor destination)
    {
        ShapeCheck.Is(nameof(Transpose), "destination", destination, source.Columns, source.Rows);
        IlgpuTensor s = Own(source, nameof(Transpose));
        IlgpuTensor d = Own(destination, nameof(Transpose));
        lock (_gate)
        {
            Enter();
            if (d.Length > 0)
            {
                _transpose(d.Length, s.View, d.View, source.Rows, source.Columns);
            }
        }
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor activity, Tensor output)
    {
        ShapeCheck.Same(nameof(Activate), "activity", activity, "output", output);
        CheckDefined(activation);
        IlgpuTensor z = Own(activity, nameof(Activate));
        IlgpuTensor u = Own(output, nameof(Activate));
        lock (_gate)
        {
            Enter();
            if (z.Length > 0)
            {
                _activate(z.Length, z.View, u.View, (int)activation);
            }
        }
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

        IlgpuTensor u = Own(input, nameof(Predict));
        IlgpuTensor wt = Own(weightsTransposed, nameof(Predict));
        IlgpuTensor? skip = residual is null ? null : Own(residual, nameof(Predict));
        IlgpuTensor mu = Own(prediction, nameof(Predict));
        Gemm(u, transposeA: false, wt, skip, mu, prediction.Rows, prediction.Columns, input.Columns, scale);
    }

    /// <inheritdoc/>
    public double PredictionError(Tensor activity, Tensor prediction, Tensor error)
    {
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "μ", prediction);
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "ε", error);
        IlgpuTensor z = Own(activity, nameof(PredictionError));
        IlgpuTensor mu = Own(prediction, nameof(PredictionError));
        IlgpuTensor eps = Own(error, nameof(PredictionError));
        int chunks = ChunkCount(z.Length);
        lock (_gate)
        {
            Enter();
            ArrayView<double> partials = Partials(chunks);
            if (chunks > 0)
            {
                _predictionError(chunks, z.View, mu.View, eps.View, partials, z.Length);
            }

            return SumPartials(partials, chunks);
        }
    }

    /// <inheritdoc/>
    public double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error)
    {
        ShapeCheck.Same(nameof(OutputError), "y", target, "ŷ", logits);
        ShapeCheck.Same(nameof(OutputError), "y", target, "d", error);
        if (!Enum.IsDefined(loss))
        {
            throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        }

        if (loss == LossKind.Mse)
        {
            // d = y − ŷ and ½‖d‖² are the prediction error's maths with z = y and μ = ŷ.
            return PredictionError(target, logits, error);
        }

        IlgpuTensor y = Own(target, nameof(OutputError));
        IlgpuTensor yHat = Own(logits, nameof(OutputError));
        IlgpuTensor d = Own(error, nameof(OutputError));
        int rows = target.Rows;
        lock (_gate)
        {
            Enter();
            ArrayView<double> partials = Partials(rows);
            if (rows > 0)
            {
                _outputErrorCrossEntropy(rows, y.View, yHat.View, d.View, partials, target.Columns);
            }

            return SumPartials(partials, rows);
        }
    }

    /// <inheritdoc/>
    public void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback)
    {
        ShapeCheck.Is(nameof(Feedback), "W", weights, error.Columns, feedback.Columns);
        ShapeCheck.Is(nameof(Feedback), "fb", feedback, error.Rows, weights.Columns);
        IlgpuTensor d = Own(error, nameof(Feedback));
        IlgpuTensor w = Own(weights, nameof(Feedback));
        IlgpuTensor fb = Own(feedback, nameof(Feedback));
        Gemm(d, transposeA: false, w, residual: null, fb, error.Rows, weights.Columns, weights.Rows, scale);
    }

    /// <inheritdoc/>
    public double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated)
    {
        ShapeCheck.ActivityStep(activity, error, feedback, errorAbove, updated);
        CheckDefined(activation);
        IlgpuTensor z = Own(activity, nameof(ActivityStep));
        IlgpuTensor next = Own(updated, nameof(ActivityStep));
        IlgpuTensor eps = Own(error, nameof(ActivityStep));
        IlgpuTensor fb = Own(feedback, nameof(ActivityStep));
        IlgpuTensor? above = errorAbove is null ? null : Own(errorAbove, nameof(ActivityStep));

        // Σg² from the move itself: Δz = −step·g, so Σg² = Σ(Δz)²/step² (extra passes; not the training path). In place,
        // the z before the step is kept in a copy.
        using Tensor? before = ReferenceEquals(z, next) ? Allocate(z.Rows, z.Columns) : null;
        using Tensor difference = Allocate(z.Rows, z.Columns);
        if (before is not null)
        {
            Copy(z, before);
        }

        lock (_gate)
        {
            Enter();
            if (z.Length > 0)
            {
                // Without d_above, ε stands in for the unread view: a kernel argument may not be null.
                _activityStep(z.Length, z.View, eps.View, fb.View, (above ?? eps).View, above is null ? 0 : 1, (int)activation, (float)step, next.View);
            }
        }

        return step == 0 ? 0 : 2 * PredictionError(next, before ?? z, difference) / (step * step);
    }

    /// <inheritdoc/>
    public void Backpropagate(Activation activation, Tensor activity, Tensor feedback, Tensor? errorAbove, Tensor error)
    {
        ShapeCheck.Same(nameof(Backpropagate), "z", activity, "fb", feedback);
        ShapeCheck.Same(nameof(Backpropagate), "z", activity, "e", error);
        if (errorAbove is not null)
        {
            ShapeCheck.Same(nameof(Backpropagate), "z", activity, "e_above", errorAbove);
        }

        CheckDefined(activation);
        IlgpuTensor z = Own(activity, nameof(Backpropagate));
        IlgpuTensor fb = Own(feedback, nameof(Backpropagate));
        IlgpuTensor? above = errorAbove is null ? null : Own(errorAbove, nameof(Backpropagate));
        IlgpuTensor e = Own(error, nameof(Backpropagate));
        lock (_gate)
        {
            Enter();
            if (z.Length > 0)
            {
                _backpropagate(z.Length, z.View, fb.View, (above ?? fb).View, above is null ? 0 : 1, e.View, (int)activation);
            }
        }
    }

    /// <inheritdoc/>
    public void WeightGradient(double scale, Tensor error, Tensor input, Tensor gradient)
    {
        ShapeCheck.Is(nameof(WeightGradient), "u", input, error.Rows, gradient.Columns);
        ShapeCheck.Is(nameof(WeightGradient), "G", gradient, error.Columns, input.Columns);
        IlgpuTensor d = Own(error, nameof(WeightGradient));
        IlgpuTensor u = Own(input, nameof(WeightGradient));
        IlgpuTensor g = Own(gradient, nameof(WeightGradient));
        Gemm(d, transposeA: true, u, residual: null, g, error.Columns, input.Columns, error.Rows, scale);
    }

    /// <inheritdoc/>
    public double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "G", gradient);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "m", firstMoment);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "v", secondMoment);
        IlgpuTensor w = Own(weights, nameof(AdamStep));
        IlgpuTensor g = Own(gradient, nameof(AdamStep));
        IlgpuTensor m = Own(firstMoment, nameof(AdamStep));
        IlgpuTensor v = Own(secondMoment, nameof(AdamStep));
        float c1 = (float)parameters.FirstMomentCorrection;
        float c2 = (float)parameters.SecondMomentCorrection;
        using Tensor before = Allocate(w.Rows, w.Columns), difference = Allocate(w.Rows, w.Columns);
        Copy(w, before);
        lock (_gate)
        {
            Enter();
            if (w.Length > 0)
            {
                _adamStep(
                    w.Length,
                    w.View,
                    g.View,
                    m.View,
                    v.View,
                    (float)parameters.LearningRate,
                    (float)parameters.Beta1,
                    (float)(1.0 - parameters.Beta1),
                    (float)parameters.Beta2,
                    (float)(1.0 - parameters.Beta2),
                    (float)parameters.Epsilon,
                    c1,
                    c2);
            }
        }

        return 2 * PredictionError(w, before, difference);
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor tensor)
    {
        IlgpuTensor x = Own(tensor, nameof(SumOfSquares));
        int chunks = ChunkCount(x.Length);
        lock (_gate)
        {
            Enter();
            ArrayView<double> partials = Partials(chunks);
            if (chunks > 0)
            {
                _sumOfSquares(chunks, x.View, partials, x.Length);
            }

            return SumPartials(partials, chunks);
        }
    }

    private static int ChunkCount(int length) => (length + IlgpuKernels.ChunkLength - 1) / IlgpuKernels.ChunkLength;

    private static void CheckDefined(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Launches the tiled product <c>C = α·op(A)·B (+ R)</c> (C is m×n, the sum runs over k) and waits for it.</summary>
    private void Gemm(IlgpuTensor a, bool transposeA, IlgpuTensor b, IlgpuTensor? residual, IlgpuTensor c, int m, int n, int k, double scale)
    {
        lock (_gate)
        {
            Enter();
            if (m > 0 && n > 0)
            {
                int tile = _tile;
                var config = new KernelConfig(
                    new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile),
                    new Index2D(tile, tile),
                    SharedMemoryConfig.RequestDynamic<float>((tile * (tile + 1)) + (tile * tile)));

                // Without a residual, C stands in for the unread view: a kernel argument may not be null.
                _gemm(config, a.View, b.View, (residual ?? c).View, c.View, m, n, k, transposeA ? 1 : 0, residual is null ? 0 : 1, (float)scale, tile);
            }
        }
    }

    /// <summary>A view of at least <paramref name="count"/> partial sums (call under <see cref="_gate"/>).</summary>
    private ArrayView<double> Partials(int count)
    {
        int needed = Math.Max(count, 1);
        if (_partials is null || _partials.Length < needed)
        {
            _partials?.Dispose();
            _partials = null;
            _partials = _accelerator.Allocate1D<double>(Math.Max(needed, 2 * _hostPartials.Length));
            _hostPartials = new double[_partials.Length];
        }

        return _partials.View;
    }

    /// <summary>Waits for the reduction, copies its partial sums to the host and adds them in order, in double.</summary>
    private double SumPartials(ArrayView<double> partials, int count)
    {
        _accelerator.Synchronize();
        if (count == 0)
        {
            return 0.0;
        }

        Span<double> host = _hostPartials.AsSpan(0, count);
        partials.SubView(0, count).CopyToCPU(host);
        _accelerator.Synchronize();
        double sum = 0.0;
        foreach (double partial in host)
        {
            sum += partial;
        }

        return sum;
    }
}
