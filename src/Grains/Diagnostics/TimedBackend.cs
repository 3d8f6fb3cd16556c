using System.Diagnostics;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;

namespace Pcn.Grains.Diagnostics;

/// <summary>
/// The silo's backend with the time of every operation added to <see cref="MetricNames.KernelTime"/>, tagged by
/// operation. Two timestamps and one counter add per call; the tags are allocated once. Only for backends that compute
/// on the host: a device backend's calls only queue work, and its <see cref="IPcBackend.Counters"/> are recorded instead.
/// </summary>
internal sealed class TimedBackend(IPcBackend inner, PcnInstruments instruments) : IPcBackend
{
    private static readonly KeyValuePair<string, object?> TransferOp = Op("transfer");
    private static readonly KeyValuePair<string, object?> TransposeOp = Op("transpose");
    private static readonly KeyValuePair<string, object?> ActivateOp = Op("activate");
    private static readonly KeyValuePair<string, object?> PredictOp = Op("predict");
    private static readonly KeyValuePair<string, object?> ErrorOp = Op("error");
    private static readonly KeyValuePair<string, object?> FeedbackOp = Op("feedback");
    private static readonly KeyValuePair<string, object?> ActivityStepOp = Op("activity_step");
    private static readonly KeyValuePair<string, object?> BackpropOp = Op("backprop");
    private static readonly KeyValuePair<string, object?> GradientOp = Op("weight_gradient");
    private static readonly KeyValuePair<string, object?> AdamOp = Op("adam");
    private static readonly KeyValuePair<string, object?> NormOp = Op("norm");

    /// <summary>The wrapped backend.</summary>
    public IPcBackend Inner => inner;

    /// <inheritdoc/>
    public string Name => inner.Name;

    /// <inheritdoc/>
    public DeviceCounters Counters => inner.Counters;

    /// <inheritdoc/>
    public bool DefersWork => inner.DefersWork;

    /// <inheritdoc/>
    public Scalars AllocateScalars(int count) => inner.AllocateScalars(count);

    /// <inheritdoc/>
    public void ReadScalars(ReadOnlySpan<Scalars> scalars) => inner.ReadScalars(scalars);

    /// <inheritdoc/>
    public Tensor Allocate(int rows, int columns) => inner.Allocate(rows, columns);

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Upload(source, destination);
        Record(TransferOp, start);
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<double> source, Tensor destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Upload(source, destination);
        Record(TransferOp, start);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Download(source, destination);
        Record(TransferOp, start);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<double> destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Download(source, destination);
        Record(TransferOp, start);
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Copy(source, destination);
        Record(TransferOp, start);
    }

    /// <inheritdoc/>
    public void Transpose(Tensor source, Tensor destination)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Transpose(source, destination);
        Record(TransposeOp, start);
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor activity, Tensor output)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Activate(activation, activity, output);
        Record(ActivateOp, start);
    }

    /// <inheritdoc/>
    public void Predict(double scale, Tensor input, Tensor weightsTransposed, Tensor? residual, Tensor prediction)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Predict(scale, input, weightsTransposed, residual, prediction);
        Record(PredictOp, start);
    }

    /// <inheritdoc/>
    public double PredictionError(Tensor activity, Tensor prediction, Tensor error)
    {
        long start = Stopwatch.GetTimestamp();
        double energy = inner.PredictionError(activity, prediction, error);
        Record(ErrorOp, start);
        return energy;
    }

    /// <inheritdoc/>
    public double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error)
    {
        long start = Stopwatch.GetTimestamp();
        double energy = inner.OutputError(loss, target, logits, error);
        Record(ErrorOp, start);
        return energy;
    }

    /// <inheritdoc/>
    public void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Feedback(scale, error, weights, feedback);
        Record(FeedbackOp, start);
    }

    /// <inheritdoc/>
    public double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated)
    {
        long start = Stopwatch.GetTimestamp();
        double squares = inner.ActivityStep(activation, step, activity, error, feedback, errorAbove, updated);
        Record(ActivityStepOp, start);
        return squares;
    }

    /// <inheritdoc/>
    public void Backpropagate(Activation activation, Tensor activity, Tensor feedback, Tensor? errorAbove, Tensor error)
    {
        long start = Stopwatch.GetTimestamp();
        inner.Backpropagate(activation, activity, feedback, errorAbove, error);
        Record(BackpropOp, start);
    }

    /// <inheritdoc/>
    public void WeightGradient(double scale, Tensor error, Tensor input, Tensor gradient)
    {
        long start = Stopwatch.GetTimestamp();
        inner.WeightGradient(scale, error, input, gradient);
        Record(GradientOp, start);
    }

    /// <inheritdoc/>
    public double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment)
    {
        long start = Stopwatch.GetTimestamp();
        double squares = inner.AdamStep(parameters, weights, gradient, firstMoment, secondMoment);
        Record(AdamOp, start);
        return squares;
    }

    /// <inheritdoc/>
    public double SumOfSquares(Tensor tensor)
    {
        long start = Stopwatch.GetTimestamp();
        double sum = inner.SumOfSquares(tensor);
        Record(NormOp, start);
        return sum;
    }

    /// <inheritdoc/>
    public void Dispose() => inner.Dispose();

    private static KeyValuePair<string, object?> Op(string name) => new("op", name);

    private void Record(KeyValuePair<string, object?> operation, long start) =>
        instruments.KernelTime(operation, Stopwatch.GetElapsedTime(start).TotalSeconds);
}
