using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;

namespace Pcn.GpuKernels.Backends.Reference;

/// <summary>
/// The oracle: every operation as a plain loop in double precision, written to be read against the equations of
/// spec §2–§4 rather than to be fast. The float backends are tested element-wise against it.
/// </summary>
internal sealed class ReferenceBackend : IPcBackend
{
    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public Tensor Allocate(int rows, int columns) => new ReferenceTensor(rows, columns);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        double[] d = Data(destination, nameof(Upload));
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = source[i];
        }
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<double> source, Tensor destination)
    {
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        source.CopyTo(Data(destination, nameof(Upload)));
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        double[] s = Data(source, nameof(Download));
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        for (int i = 0; i < s.Length; i++)
        {
            destination[i] = (float)s[i];
        }
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<double> destination)
    {
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        Data(source, nameof(Download)).CopyTo(destination);
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        ShapeCheck.Same(nameof(Copy), "source", source, "destination", destination);
        Data(source, nameof(Copy)).CopyTo(Data(destination, nameof(Copy)), 0);
    }

    /// <inheritdoc/>
    public void Transpose(Tensor source, Tensor destination)
    {
        ShapeCheck.Is(nameof(Transpose), "destination", destination, source.Columns, source.Rows);
        double[] s = Data(source, nameof(Transpose));
        double[] d = Data(destination, nameof(Transpose));
        for (int r = 0; r < source.Rows; r++)
        {
            for (int c = 0; c < source.Columns; c++)
            {
                d[(c * source.Rows) + r] = s[(r * source.Columns) + c];
            }
        }
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor activity, Tensor output)
    {
        ShapeCheck.Same(nameof(Activate), "activity", activity, "output", output);
        double[] z = Data(activity, nameof(Activate));
        double[] u = Data(output, nameof(Activate));
        for (int i = 0; i < z.Length; i++)
        {
            u[i] = ActivationFunctions.Value(activation, z[i]);
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

        double[] u = Data(input, nameof(Predict));
        double[] wt = Data(weightsTransposed, nameof(Predict));
        double[]? skip = residual is null ? null : Data(residual, nameof(Predict));
        double[] mu = Data(prediction, nameof(Predict));
        int rows = prediction.Rows, outs = prediction.Columns, ins = input.Columns;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < outs; j++)
            {
                double sum = 0;
                for (int k = 0; k < ins; k++)
                {
                    sum += u[(i * ins) + k] * wt[(k * outs) + j];
                }

                mu[(i * outs) + j] = (scale * sum) + (skip is null ? 0.0 : skip[(i * outs) + j]);
            }
        }
    }

    /// <inheritdoc/>
    public double PredictionError(Tensor activity, Tensor prediction, Tensor error)
    {
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "μ", prediction);
        ShapeCheck.Same(nameof(PredictionError), "z", activity, "ε", error);
        double[] z = Data(activity, nameof(PredictionError));
        double[] mu = Data(prediction, nameof(PredictionError));
        double[] eps = Data(error, nameof(PredictionError));
        double energy = 0;
        for (int i = 0; i < z.Length; i++)
        {
            eps[i] = z[i] - mu[i];
            energy += 0.5 * eps[i] * eps[i];
        }

        return energy;
    }

    /// <inheritdoc/>
    public double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error)
    {
        ShapeCheck.Same(nameof(OutputError), "y", target, "ŷ", logits);
        ShapeCheck.Same(nameof(OutputError), "y", target, "d", error);
        double[] y = Data(target, nameof(OutputError));
        double[] yHat = Data(logits, nameof(OutputError));
        double[] d = Data(error, nameof(OutputError));
        int rows = target.Rows, classes = target.Columns;
        double energy = 0;
        for (int i = 0; i < rows; i++)
        {
            int o = i * classes;
            if (loss == LossKind.Mse)
            {
                for (int k = 0; k < classes; k++)
                {
                    d[o + k] = y[o + k] - yHat[o + k];
                    energy += 0.5 * d[o + k] * d[o + k];
                }

                continue;
            }

            double max = double.NegativeInfinity, ySum = 0;
            for (int k = 0; k < classes; k++)
            {
                max = Math.Max(max, yHat[o + k]);
                ySum += y[o + k];
            }

            double expSum = 0;
            for (int k = 0; k < classes; k++)
            {
                expSum += Math.Exp(yHat[o + k] - max);
            }

            double logNorm = max + Math.Log(expSum);
            for (int k = 0; k < classes; k++)
            {
                double logSoftmax = yHat[o + k] - logNorm;
                energy -= y[o + k] * logSoftmax;
                d[o + k] = y[o + k] - (Math.Exp(logSoftmax) * ySum);
            }
        }

        return energy;
    }

    /// <inheritdoc/>
    public void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback)
    {
        ShapeCheck.Is(nameof(Feedback), "W", weights, error.Columns, feedback.Columns);
        ShapeCheck.Is(nameof(Feedback), "fb", feedback, error.Rows, weights.Columns);
        double[] d = Data(error, nameof(Feedback));
        double[] w = Data(weights, nameof(Feedback));
        double[] fb = Data(feedback, nameof(Feedback));
        int rows = error.Rows, outs = weights.Rows, ins = weights.Columns;
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < ins; k++)
            {
                double sum = 0;
                for (int j = 0; j < outs; j++)
                {
                    sum += d[(i * outs) + j] * w[(j * ins) + k];
                }

                fb[(i * ins) + k] = scale * sum;
            }
        }
    }

    /// <inheritdoc/>
    public double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated)
    {
        ShapeCheck.ActivityStep(activity, error, feedback, errorAbove, updated);
        double[] z = Data(activity, nameof(ActivityStep));
        double[] next = Data(updated, nameof(ActivityStep));
        double[] eps = Data(error, nameof(ActivityStep));
        double[] fb = Data(feedback, nameof(ActivityStep));
        double[]? above = errorAbove is null ? null : Data(errorAbove, nameof(ActivityStep));
        double squares = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double gradient = eps[i] - (ActivationFunctions.Slope(activation, z[i]) * fb[i]) - (above is null ? 0.0 : above[i]);
            next[i] = z[i] - (step * gradient);
            squares += gradient * gradient;
        }

        return squares;
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

        double[] z = Data(activity, nameof(Backpropagate));
        double[] fb = Data(feedback, nameof(Backpropagate));
        double[]? above = errorAbove is null ? null : Data(errorAbove, nameof(Backpropagate));
        double[] e = Data(error, nameof(Backpropagate));
        for (int i = 0; i < z.Length; i++)
        {
            e[i] = (ActivationFunctions.Slope(activation, z[i]) * fb[i]) + (above is null ? 0.0 : above[i]);
        }
    }

    /// <inheritdoc/>
    public void WeightGradient(double scale, Tensor error, Tensor input, Tensor gradient)
    {
        ShapeCheck.Is(nameof(WeightGradient), "u", input, error.Rows, gradient.Columns);
        ShapeCheck.Is(nameof(WeightGradient), "G", gradient, error.Columns, input.Columns);
        double[] d = Data(error, nameof(WeightGradient));
        double[] u = Data(input, nameof(WeightGradient));
        double[] g = Data(gradient, nameof(WeightGradient));
        int rows = error.Rows, outs = error.Columns, ins = input.Columns;
        for (int j = 0; j < outs; j++)
        {
            for (int k = 0; k < ins; k++)
            {
                double sum = 0;
                for (int i = 0; i < rows; i++)
                {
                    sum += d[(i * outs) + j] * u[(i * ins) + k];
                }

                g[(j * ins) + k] = scale * sum;
            }
        }
    }

    /// <inheritdoc/>
    public double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "G", gradient);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "m", firstMoment);
        ShapeCheck.Same(nameof(AdamStep), "W", weights, "v", secondMoment);
        double[] w = Data(weights, nameof(AdamStep));
        double[] g = Data(gradient, nameof(AdamStep));
        double[] m = Data(firstMoment, nameof(AdamStep));
        double[] v = Data(secondMoment, nameof(AdamStep));
        double c1 = parameters.FirstMomentCorrection, c2 = parameters.SecondMomentCorrection;
        double squares = 0;
        for (int i = 0; i < w.Length; i++)
        {
            m[i] = (parameters.Beta1 * m[i]) + ((1.0 - parameters.Beta1) * g[i]);
            v[i] = (parameters.Beta2 * v[i]) + ((1.0 - parameters.Beta2) * g[i] * g[i]);
            double update = parameters.LearningRate * (m[i] * c1) / (Math.Sqrt(v[i] * c2) + parameters.Epsilon);
            w[i] -= update;
            squares += update * update;
        }

        return squares;
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor tensor)
    {
        double sum = 0;
        foreach (double x in Data(tensor, nameof(SumOfSquares)))
        {
            sum += x * x;
        }

        return sum;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static double[] Data(Tensor tensor, string operation) => ShapeCheck.Own<ReferenceTensor>(tensor, operation).Data;
}
