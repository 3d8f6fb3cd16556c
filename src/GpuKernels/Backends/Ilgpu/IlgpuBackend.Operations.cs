using Pcn.Abstractions.Options;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The operations of <see cref="IPcBackend"/>: the reference backend's shape checks, then one queued command each.
/// The forms that return a sum read it at once (one wait); the training path uses the forms that leave it in
/// <see cref="Scalars"/>.
/// </summary>
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

        QueueElementwise(ElementwiseOp.Copy, new ElementwiseItem { A = s.Offset, C = d.Offset, Length = s.Length }, [s], [d], s, d);
    }

    /// <inheritdoc/>
    public void Transpose(Tensor source, Tensor destination)
    {
        ShapeCheck.Is(nameof(Transpose), "destination", destination, source.Columns, source.Rows);
        IlgpuTensor s = Own(source, nameof(Transpose));
        IlgpuTensor d = Own(destination, nameof(Transpose));
        if (d.Length > 0)
        {
            QueueElementwise(ElementwiseOp.Transpose, new ElementwiseItem { A = s.Offset, C = d.Offset, Length = d.Length, Rows = source.Rows, Columns = source.Columns }, [s], [d], s, d);
        }
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor activity, Tensor output)
    {
        ShapeCheck.Same(nameof(Activate), "activity", activity, "output", output);
        CheckDefined(activation);
        IlgpuTensor z = Own(activity, nameof(Activate));
        IlgpuTensor u = Own(output, nameof(Activate));
        if (z.Length > 0)
        {
            QueueElementwise(ElementwiseOp.Activate, new ElementwiseItem { A = z.Offset, C = u.Offset, Length = z.Length, Activation = (int)activation }, [z], [u], z, u);
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
        QueueGemm(u, transposeA: false, wt, skip, mu, prediction.Rows, prediction.Columns, input.Columns, scale);
    }

    /// <inheritdoc/>
    public double PredictionError(Tensor activity, Tensor prediction, Tensor error) =>
        ReadOne((sums, slot) => PredictionError(activity, prediction, error, sums, slot));

    /// <inheritdoc/>
    public void PredictionError(Tensor activity, Tensor prediction, Tensor error, Scalars sums, int slot)
    {
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "μ", prediction);
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "ε", error);
        IlgpuTensor z = Own(activity, nameof(PredictionError));
        IlgpuTensor mu = Own(prediction, nameof(PredictionError));
        IlgpuTensor eps = Own(error, nameof(PredictionError));
        long at = Slot(sums, slot, nameof(PredictionError));
        QueueElementwise(ElementwiseOp.PredictionError, new ElementwiseItem { A = z.Offset, B = mu.Offset, C = eps.Offset, Length = z.Length, Slot = (int)at }, [z, mu], [eps], z, mu, eps, at);
    }

    /// <inheritdoc/>
    public double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error) =>
        ReadOne((sums, slot) => OutputError(loss, target, logits, error, sums, slot));

    /// <inheritdoc/>
    public void OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error, Scalars sums, int slot)
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
            PredictionError(target, logits, error, sums, slot);
            return;
        }

        IlgpuTensor y = Own(target, nameof(OutputError));
        IlgpuTensor yHat = Own(logits, nameof(OutputError));
        IlgpuTensor d = Own(error, nameof(OutputError));
        long at = Slot(sums, slot, nameof(OutputError));
        QueueElementwise(
            ElementwiseOp.CrossEntropyError,
            new ElementwiseItem { A = y.Offset, B = yHat.Offset, C = d.Offset, Length = target.Rows, Rows = target.Rows, Columns = target.Columns, Slot = (int)at },
            [y, yHat],
            [d],
            y,
            yHat,
            d,
            at);
    }

    /// <inheritdoc/>
    public void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback)
    {
        ShapeCheck.Is(nameof(Feedback), "W", weights, error.Columns, feedback.Columns);
        ShapeCheck.Is(nameof(Feedback), "fb", feedback, error.Rows, weights.Columns);
        IlgpuTensor d = Own(error, nameof(Feedback));
        IlgpuTensor w = Own(weights, nameof(Feedback));
        IlgpuTensor fb = Own(feedback, nameof(Feedback));
        QueueGemm(d, transposeA: false, w, residual: null, fb, error.Rows, weights.Columns, weights.Rows, scale);
    }

    /// <inheritdoc/>
    public double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated) =>
        ReadOne((sums, slot) => ActivityStep(activation, step, activity, error, feedback, errorAbove, updated, sums, slot));

    /// <inheritdoc/>
    public void ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated, Scalars sums, int slot)
    {
        ShapeCheck.ActivityStep(activity, error, feedback, errorAbove, updated);
        CheckDefined(activation);
        IlgpuTensor z = Own(activity, nameof(ActivityStep));
        IlgpuTensor next = Own(updated, nameof(ActivityStep));
        IlgpuTensor eps = Own(error, nameof(ActivityStep));
        IlgpuTensor fb = Own(feedback, nameof(ActivityStep));
        IlgpuTensor? above = errorAbove is null ? null : Own(errorAbove, nameof(ActivityStep));
        long at = Slot(sums, slot, nameof(ActivityStep));
        var item = new ElementwiseItem
        {
            A = z.Offset,
            B = eps.Offset,
            C = next.Offset,
            D = fb.Offset,
            E = above?.Offset ?? 0,
            HasE = above is null ? 0 : 1,
            Length = z.Length,
            Activation = (int)activation,
            Step = (float)step,
            Slot = (int)at,
        };
        QueueElementwise(ElementwiseOp.ActivityStep, item, [z, eps, fb, above], [next], z, eps, next, at, fb, above);
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
        if (z.Length > 0)
        {
            var item = new ElementwiseItem { A = z.Offset, C = e.Offset, D = fb.Offset, E = above?.Offset ?? 0, HasE = above is null ? 0 : 1, Length = z.Length, Activation = (int)activation };
            QueueElementwise(ElementwiseOp.Backpropagate, item, [z, fb, above], [e], z, fb, e, -1, above);
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
        QueueGemm(d, transposeA: true, u, residual: null, g, error.Columns, input.Columns, error.Rows, scale);
    }

    /// <inheritdoc/>
    public double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        AdamStepParameters p = parameters;
        return ReadOne((sums, slot) => AdamStep(p, weights, gradient, firstMoment, secondMoment, sums, slot));
    }

    /// <inheritdoc/>
    public void AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Scalars sums, int slot)
    {
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "G", gradient);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "m", firstMoment);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "v", secondMoment);
        IlgpuTensor w = Own(weights, nameof(AdamStep));
        IlgpuTensor g = Own(gradient, nameof(AdamStep));
        IlgpuTensor m = Own(firstMoment, nameof(AdamStep));
        IlgpuTensor v = Own(secondMoment, nameof(AdamStep));
        long at = Slot(sums, slot, nameof(AdamStep));
        var item = new ElementwiseItem { A = w.Offset, B = g.Offset, D = m.Offset, E = v.Offset, C = w.Offset, Length = w.Length, Slot = (int)at };
        lock (_gate)
        {
            Enter();
            var command = new DeviceCommand { Group = new CommandGroup(CommandKind.Elementwise, ElementwiseOp.Adam, w.Chunk, default, AdamArguments.From(parameters)), Elementwise = item };
            Queue(command, [w, g, m, v], [w, m, v], at);
        }

        RequireSameChunk(nameof(AdamStep), w, g, m, v);
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor tensor)
    {
        Own(tensor, nameof(SumOfSquares));
        return ReadOne((sums, slot) => SumOfSquares(tensor, sums, slot));
    }

    /// <inheritdoc/>
    public void SumOfSquares(Tensor tensor, Scalars sums, int slot)
    {
        IlgpuTensor x = Own(tensor, nameof(SumOfSquares));
        long at = Slot(sums, slot, nameof(SumOfSquares));
        QueueElementwise(ElementwiseOp.SumOfSquares, new ElementwiseItem { A = x.Offset, C = x.Offset, Length = x.Length, Slot = (int)at }, [x], [], x, x, x, at);
    }

    private static void CheckDefined(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    private static CommandGroup Elementwise(ElementwiseOp op, int chunk) => new(CommandKind.Elementwise, op, chunk, default, default);

    /// <summary>Tensors of one launch must share a pool chunk (they do unless the pool had to grow between them).</summary>
    private static void RequireSameChunk(string operation, IlgpuTensor first, params ReadOnlySpan<IlgpuTensor?> others)
    {
        foreach (IlgpuTensor? other in others)
        {
            if (other is not null && other.Chunk != first.Chunk)
            {
                throw new NotSupportedException($"{operation}: its tensors lie in different pool chunks ({first.Chunk} and {other.Chunk}); allocate a network's tensors before the pool fills.");
            }
        }
    }

    /// <summary>A one-slot sum, read at once (one wait): the convenience forms, not the training path.</summary>
    private double ReadOne(Action<Scalars, int> operation)
    {
        using Scalars sums = AllocateScalars(1);
        operation(sums, 0);
        ReadScalars([sums]);
        return sums[0];
    }

    /// <summary>The absolute index of <paramref name="slot"/> in the scalar buffer.</summary>
    private long Slot(Scalars sums, int slot, string operation)
    {
        IlgpuScalars own = OwnScalars(sums, operation);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, own.Count);
        return own.Offset + slot;
    }

    private void QueueElementwise(ElementwiseOp op, ElementwiseItem item, ReadOnlySpan<IlgpuTensor?> reads, ReadOnlySpan<IlgpuTensor?> writes, IlgpuTensor first, IlgpuTensor second, IlgpuTensor? third = null, long slot = -1, IlgpuTensor? fourth = null, IlgpuTensor? fifth = null)
    {
        RequireSameChunk(op.ToString(), first, second, third, fourth, fifth);
        lock (_gate)
        {
            Enter();
            Queue(new DeviceCommand { Group = Elementwise(op, first.Chunk), Elementwise = item }, reads, writes, slot);
        }
    }

    /// <summary>Queues <c>C = α·op(A)·B (+ R)</c> (C is m×n, the sum runs over k).</summary>
    private void QueueGemm(IlgpuTensor a, bool transposeA, IlgpuTensor b, IlgpuTensor? residual, IlgpuTensor c, int m, int n, int k, double scale)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        RequireSameChunk("a product", a, b, residual, c);
        var command = new DeviceCommand
        {
            Group = new CommandGroup(CommandKind.Gemm, default, c.Chunk, new GemmShape(m, n, k, transposeA, residual is not null), default),
            Product = new GemmItem { A = a.Offset, B = b.Offset, R = residual?.Offset ?? 0, C = c.Offset, Alpha = (float)scale },
        };
        lock (_gate)
        {
            Enter();
            Queue(command, [a, b, residual], [c]);
        }
    }
}
