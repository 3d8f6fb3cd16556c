using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Structure;

namespace Pcn.Network.Layers;

/// <summary>
/// One weight layer ℓ with everything it owns: W_ℓ (and Wᵀ_ℓ, refreshed after each update, so predictions are a
/// plain row-major product), Adam moments, and per batch its input u_ℓ, prediction μ_ℓ, activity z_ℓ, error d_ℓ and
/// the feedback it sends down. It reads only what its neighbours hand it: z_{ℓ−1} from below, and the feedback
/// and error of layer ℓ+1 from above. The single-process trainer and the layer grains both drive these methods,
/// so they compute the same numbers.
/// <para>
/// What a layer sends — z up, feedback and error down — is double-buffered: each new z, and each new error with its
/// feedback, goes to the other of two buffers. A neighbour may hold a reference to what was sent at step t (in an
/// inbox, or a message in flight) until it has answered it, and the layer only reaches step t + 2, which writes that
/// buffer again, after the answer; so a sent tensor is never written while anyone can still read it.
/// </para>
/// </summary>
public sealed class PcLayer : IDisposable
{
    // The slots of Sums: Σ(ΔW)² of the last update, Σw² when measured, Σg² of the last activity step, then the energy
    // after each inference step t at EnergySlot + t.
    private const int UpdateSlot = 0;
    private const int WeightSlot = 1;
    private const int GradientSlot = 2;
    private const int EnergySlot = 3;

    private readonly IPcBackend _backend;
    private readonly Activation _activation;
    private readonly Tensor?[] _activities = new Tensor?[2];
    private readonly Tensor?[] _errors = new Tensor?[2];
    private readonly Tensor?[] _feedbacks = new Tensor?[2];
    private Tensor? _input;
    private Tensor? _ownedInput;
    private Tensor? _prediction;
    private int _activityBuffer;
    private int _errorBuffer;

    // The learning signal: W_ℓ(0) as uploaded, and whether the last update's Σ(ΔW)² is still to be counted (a deferring
    // backend has it only after the read that follows it, whose number is Sums.Reads > _updateQueuedBeforeRead).
    private float[] _initialWeights = [];
    private bool _updateUncounted;
    private int _updateQueuedBeforeRead;

    /// <summary>Allocates the layer on <paramref name="backend"/> with initial weights (row-major OutputDim × InputDim).</summary>
    public PcLayer(IPcBackend backend, LayerShape shape, Activation activation, ReadOnlySpan<double> initialWeights)
    {
        _backend = backend;
        _activation = activation;
        Shape = shape;
        Weights = backend.Allocate(shape.OutputDim, shape.InputDim);
        WeightsTransposed = backend.Allocate(shape.InputDim, shape.OutputDim);
        Gradient = backend.Allocate(shape.OutputDim, shape.InputDim);
        FirstMoment = backend.Allocate(shape.OutputDim, shape.InputDim);
        SecondMoment = backend.Allocate(shape.OutputDim, shape.InputDim);
        Sums = backend.AllocateScalars(EnergySlot + 1);
        SetWeights(initialWeights);
    }

    /// <summary>The layer's shape and multiplier.</summary>
    public LayerShape Shape { get; }

    /// <summary>W_ℓ, OutputDim × InputDim.</summary>
    public Tensor Weights { get; }

    /// <summary>Wᵀ_ℓ, kept equal to the transpose of <see cref="Weights"/>.</summary>
    public Tensor WeightsTransposed { get; }

    /// <summary>∂F/∂W_ℓ from the last update.</summary>
    public Tensor Gradient { get; }

    /// <summary>Adam's first moment.</summary>
    public Tensor FirstMoment { get; }

    /// <summary>Adam's second moment.</summary>
    public Tensor SecondMoment { get; }

    /// <summary>
    /// The layer's sums (energies by step, update and gradient norms). A backend that defers work fills them at
    /// <see cref="IPcBackend.ReadScalars"/> (<see cref="ReadSums"/>); a host backend as it computes.
    /// </summary>
    public Scalars Sums { get; private set; }

    /// <summary>‖ΔW‖ of the last update, as last read.</summary>
    public double UpdateNorm => Math.Sqrt(Sums[UpdateSlot]);

    /// <summary>‖W‖ when last measured (<see cref="MeasureWeights"/>), as last read.</summary>
    public double WeightNorm => Math.Sqrt(Sums[WeightSlot]);

    /// <summary>The RMS of ∂F/∂z at the last activity step, <c>√(Σg²/n)/B</c>, as last read.</summary>
    public double ActivityGradientRms => BatchSize == 0 ? double.NaN : Math.Sqrt(Sums[GradientSlot] / ((double)BatchSize * Shape.OutputDim)) / BatchSize;

    /// <summary>Adam steps taken so far.</summary>
    public int UpdateCount { get; private set; }

    /// <summary>Rows of the current batch (0 before the first).</summary>
    public int BatchSize { get; private set; }

    /// <summary>u_ℓ = φ(z_{ℓ−1}), or x for ℓ = 1 (B × InputDim).</summary>
    public Tensor Input => _input ?? throw NoBatch();

    /// <summary>μ_ℓ (B × OutputDim); for the output layer, the logits ŷ.</summary>
    public Tensor Prediction => _prediction ?? throw NoBatch();

    /// <summary>z_ℓ (B × OutputDim), the free activity of a hidden layer; the output layer has none and returns ŷ.</summary>
    public Tensor Activity => Shape.IsOutput ? Prediction : _activities[_activityBuffer] ?? throw NoBatch();

    /// <summary>d_ℓ: ε_ℓ = z_ℓ − μ_ℓ for hidden layers, y − ŷ (or the CE form) for the output; in BP, the backpropagated error.</summary>
    public Tensor Error => _errors[_errorBuffer] ?? throw NoBatch();

    /// <summary>The feedback sent to layer ℓ−1, <c>a_ℓ·d_ℓ·W_ℓ</c> (B × InputDim), made from <see cref="Error"/>; layer 1 sends none.</summary>
    public Tensor Feedback => _feedbacks[_errorBuffer] ?? throw new InvalidOperationException($"Layer {Shape.Index} sends no feedback (the input is clamped) or has no batch yet.");

    /// <summary>Batches whose weight update was non-zero (Σ(ΔW)² > 0), counted since initialisation.</summary>
    public int UpdatedBatches { get; private set; }

    /// <summary>
    /// Replaces W_ℓ (row-major OutputDim × InputDim) and its transpose; these become W_ℓ(0), the weights the layer's
    /// learning signal compares with (a run sets them before it trains: the seed's, or an exported network's).
    /// </summary>
    public void SetWeights(ReadOnlySpan<double> weights)
    {
        _initialWeights = new float[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            _initialWeights[i] = (float)weights[i];
        }

        _backend.Upload(weights, Weights);
        _backend.Transpose(Weights, WeightsTransposed);
    }

    /// <summary>
    /// Puts back a saved state (a checkpoint): W_ℓ and Adam's moments (row-major OutputDim × InputDim), Adam's step
    /// count, and the batches whose update was non-zero. W_ℓ(0) stays what the layer was built with.
    /// </summary>
    public void Restore(ReadOnlySpan<float> weights, ReadOnlySpan<float> firstMoment, ReadOnlySpan<float> secondMoment, int updateCount, int updatedBatches)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(updateCount);
        ArgumentOutOfRangeException.ThrowIfNegative(updatedBatches);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(updatedBatches, updateCount);
        UpdatedBatches = updatedBatches;
        _updateUncounted = false;
        _backend.Upload(weights, Weights);
        _backend.Transpose(Weights, WeightsTransposed);
        _backend.Upload(firstMoment, FirstMoment);
        _backend.Upload(secondMoment, SecondMoment);
        UpdateCount = updateCount;
    }

    /// <summary>Allocates the per-batch buffers for <paramref name="batchSize"/> rows (only when the size changes).</summary>
    public void EnsureBatch(int batchSize)
    {
        if (batchSize == BatchSize)
        {
            return;
        }

        ReleaseBatch();
        BatchSize = batchSize;
        _prediction = _backend.Allocate(batchSize, Shape.OutputDim);
        for (int buffer = 0; buffer < 2; buffer++)
        {
            _errors[buffer] = _backend.Allocate(batchSize, Shape.OutputDim);
            if (!Shape.IsOutput)
            {
                _activities[buffer] = _backend.Allocate(batchSize, Shape.OutputDim);
            }

            if (Shape.ActivatesInput)
            {
                _feedbacks[buffer] = _backend.Allocate(batchSize, Shape.InputDim);
            }
        }

        if (Shape.ActivatesInput)
        {
            _ownedInput = _input = _backend.Allocate(batchSize, Shape.InputDim);
        }
    }

    /// <summary>
    /// Feedforward initialisation (spec §3.1): <c>μ_ℓ = a_ℓ·φ(z_{ℓ−1})·Wᵀ + s_ℓ·z_{ℓ−1}</c> and <c>z_ℓ = μ_ℓ</c>, so the
    /// hidden error starts at exactly 0. <paramref name="below"/> is x for ℓ = 1, else z_{ℓ−1}.
    /// </summary>
    public void Forward(Tensor below)
    {
        EnsureBatch(below.Rows);
        Predict(below);
        if (!Shape.IsOutput)
        {
            _activityBuffer ^= 1;
            _backend.Copy(Prediction, Activity);
        }
    }

    /// <summary>
    /// Computes the error d_ℓ and this layer's energy summed over the batch (E_ℓ·B) into the slot of step
    /// <paramref name="step"/> (<see cref="Energy"/>): <c>½‖z − μ‖²</c> for a hidden layer, the loss term for the output
    /// (<paramref name="target"/> required). The prediction is recomputed from <paramref name="below"/> only when
    /// z_{ℓ−1} changed since it was last made.
    /// </summary>
    public void ComputeError(Tensor below, bool belowChanged, Tensor? target, LossKind loss, int step)
    {
        if (belowChanged && Shape.ActivatesInput)
        {
            Predict(below);
        }

        EnsureSlots(step);
        _errorBuffer ^= 1;
        if (Shape.IsOutput)
        {
            _backend.OutputError(loss, target ?? throw new ArgumentNullException(nameof(target), "The output layer needs the clamped target y."), Prediction, Error, Sums, EnergySlot + step);
            return;
        }

        _backend.PredictionError(Activity, Prediction, Error, Sums, EnergySlot + step);
    }

    /// <summary>The energy (E_ℓ·B) computed at step <paramref name="step"/>, as last read.</summary>
    public double Energy(int step) => Sums[EnergySlot + step];

    /// <summary>Makes <see cref="Sums"/> readable (one wait for a backend that defers work).</summary>
    public void ReadSums() => _backend.ReadScalars([Sums]);

    /// <summary>Makes room for the energies of steps 0..<paramref name="steps"/> (allocates only when T grows).</summary>
    public void EnsureSlots(int steps)
    {
        if (EnergySlot + steps < Sums.Count)
        {
            return;
        }

        CountLastUpdate();

        Scalars grown = _backend.AllocateScalars(EnergySlot + Math.Max(steps + 1, 2 * (Sums.Count - EnergySlot)));
        Sums.Dispose();
        Sums = grown;
    }

    /// <summary>Computes Σw² for <see cref="WeightNorm"/>.</summary>
    public void MeasureWeights() => _backend.SumOfSquares(Weights, Sums, WeightSlot);

    /// <summary>Computes the feedback for layer ℓ−1, <c>fb = a_ℓ·d_ℓ·W_ℓ</c>.</summary>
    public void ComputeFeedback() => _backend.Feedback(Shape.Scale, Error, Weights, Feedback);

    /// <summary>
    /// One inference step (hidden layers): <c>z ← z − step·(ε − φ′(z)⊙fb_above − s_{ℓ+1}·d_above)</c>, from the feedback and
    /// error of layer ℓ+1 (<paramref name="errorAbove"/> null when it has no skip). The new z goes to the other buffer;
    /// Σg² to <see cref="ActivityGradientRms"/>.
    /// </summary>
    public void UpdateActivity(double step, Tensor feedbackAbove, Tensor? errorAbove)
    {
        RequireHidden(nameof(UpdateActivity));
        Tensor next = _activities[_activityBuffer ^ 1]!;
        _backend.ActivityStep(_activation, step, Activity, Error, feedbackAbove, errorAbove, next, Sums, GradientSlot);
        _activityBuffer ^= 1;
    }

    /// <summary>Backprop through a hidden layer: <c>e_ℓ = φ′(z_ℓ)⊙fb_above + s_{ℓ+1}·e_above</c>.</summary>
    public void Backpropagate(Tensor feedbackAbove, Tensor? errorAbove)
    {
        RequireHidden(nameof(Backpropagate));
        _errorBuffer ^= 1;
        _backend.Backpropagate(_activation, Activity, feedbackAbove, errorAbove, Error);
    }

    /// <summary>
    /// <c>G = f·a_ℓ·d_ℓᵀ·u_ℓ</c>, then one Adam step and the refresh of Wᵀ. PC passes f = −1/B (spec §2.1); backprop
    /// passes minus its loss constant (<see cref="Training.GradientFactors"/>). The layer applies its own a_ℓ, so
    /// every caller computes the same bits. ‖ΔW‖ goes to <see cref="UpdateNorm"/>.
    /// </summary>
    public void UpdateWeights(double gradientFactor, double learningRate, double beta1, double beta2, double epsilon)
    {
        CountLastUpdate();
        _backend.WeightGradient(gradientFactor * Shape.Scale, Error, Input, Gradient);
        UpdateCount++;
        _backend.AdamStep(new AdamStepParameters(learningRate, beta1, beta2, epsilon, UpdateCount), Weights, Gradient, FirstMoment, SecondMoment, Sums, UpdateSlot);
        _backend.Transpose(Weights, WeightsTransposed);
        _updateUncounted = true;
        _updateQueuedBeforeRead = Sums.Reads;
        if (!_backend.DefersWork)
        {
            CountLastUpdate();
        }
    }

    /// <summary>
    /// The layer's learning signal now: ‖W_ℓ − W_ℓ(0)‖ / ‖W_ℓ(0)‖ in double from the float32 weights, and the
    /// batches with a non-zero update. Downloads W_ℓ (one wait on a device; callers measure at evaluations).
    /// </summary>
    public LayerLearning MeasureLearning()
    {
        CountLastUpdate();
        float[] weights = new float[_initialWeights.Length];
        _backend.Download(Weights, weights);
        double moved = 0, initial = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            double w0 = _initialWeights[i], d = weights[i] - w0;
            moved += d * d;
            initial += w0 * w0;
        }

        // A zero initial matrix has no scale to compare with: the absolute change stands in for it.
        return new LayerLearning(initial > 0 ? Math.Sqrt(moved / initial) : Math.Sqrt(moved), UpdatedBatches);
    }

    /// <summary>
    /// Counts the last update if its Σ(ΔW)² has not been counted: from the host copy when it is there (a host backend,
    /// or a read since the update was queued), else after a read of this layer's sums (a wait; only when the caller
    /// needs the count before the next batch's read).
    /// </summary>
    private void CountLastUpdate()
    {
        if (!_updateUncounted)
        {
            return;
        }

        if (_backend.DefersWork && Sums.Reads == _updateQueuedBeforeRead)
        {
            ReadSums();
        }

        _updateUncounted = false;
        if (Sums[UpdateSlot] > 0)
        {
            UpdatedBatches++;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleaseBatch();
        Weights.Dispose();
        WeightsTransposed.Dispose();
        Gradient.Dispose();
        FirstMoment.Dispose();
        SecondMoment.Dispose();
        Sums.Dispose();
    }

    private void Predict(Tensor below)
    {
        if (Shape.ActivatesInput)
        {
            _backend.Activate(_activation, below, _input!);
        }
        else
        {
            _input = below;
        }

        _backend.Predict(Shape.Scale, Input, WeightsTransposed, Shape.HasSkip ? below : null, Prediction);
    }

    private void RequireHidden(string operation)
    {
        if (Shape.IsOutput)
        {
            throw new InvalidOperationException($"{operation}: layer {Shape.Index} is the output layer and has no free activity.");
        }
    }

    private InvalidOperationException NoBatch() => new($"Layer {Shape.Index} has no batch yet: call Forward first.");

    private void ReleaseBatch()
    {
        _ownedInput?.Dispose();
        _prediction?.Dispose();
        foreach (Tensor?[] buffers in new[] { _activities, _errors, _feedbacks })
        {
            for (int buffer = 0; buffer < 2; buffer++)
            {
                buffers[buffer]?.Dispose();
                buffers[buffer] = null;
            }
        }

        _input = _ownedInput = _prediction = null;
        BatchSize = 0;
    }
}
