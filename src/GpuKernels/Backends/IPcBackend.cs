using Pcn.Abstractions.Options;

namespace Pcn.GpuKernels.Backends;

/// <summary>
/// The per-layer operations of PC, µPC and backprop (spec §2–§5), over tensors that the backend owns.
/// Three implementations: <c>ReferenceBackend</c> (double-precision scalar loops, the oracle), <c>CpuBackend</c>
/// (float32 SIMD) and <c>IlgpuBackend</c> (float32 kernels, CUDA when present).
/// Notation: B rows per batch; <c>z</c> activities, <c>μ</c> predictions, <c>d</c> errors (ε for hidden layers,
/// <c>y − ŷ</c> for the output), <c>u = φ(z_prev)</c> a layer's input, <c>a</c> the layer's multiplier.
/// Every operation checks shapes and names both shapes when they disagree. Operations on disjoint tensors may
/// run concurrently.
/// </summary>
public interface IPcBackend : IDisposable
{
    /// <summary>A short name ("reference", "cpu", "ilgpu-cpu", "ilgpu-cuda").</summary>
    string Name { get; }

    /// <summary>What this backend asked of its device so far (all zero for backends that compute on the host).</summary>
    DeviceCounters Counters => default;

    /// <summary>
    /// True when operations are queued for a device and run later (ILGPU): sums then reach <see cref="Scalars"/> only at
    /// <see cref="ReadScalars"/>, and the host should queue a whole batch before reading anything.
    /// </summary>
    bool DefersWork => false;

    /// <summary>Allocates <paramref name="count"/> zeroed slots for sums.</summary>
    Scalars AllocateScalars(int count) => new(count);

    /// <summary>Waits for the work queued so far and makes every slot of <paramref name="scalars"/> readable.</summary>
    void ReadScalars(ReadOnlySpan<Scalars> scalars)
    {
    }

    /// <summary>As <see cref="PredictionError(Tensor, Tensor, Tensor)"/>, with the energy written to <paramref name="sums"/>[<paramref name="slot"/>].</summary>
    void PredictionError(Tensor activity, Tensor prediction, Tensor error, Scalars sums, int slot) =>
        sums.Store(slot, PredictionError(activity, prediction, error));

    /// <summary>As <see cref="OutputError(LossKind, Tensor, Tensor, Tensor)"/>, with the energy written to <paramref name="sums"/>[<paramref name="slot"/>].</summary>
    void OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error, Scalars sums, int slot) =>
        sums.Store(slot, OutputError(loss, target, logits, error));

    /// <summary>As <see cref="ActivityStep(Activation, double, Tensor, Tensor, Tensor, Tensor?, Tensor)"/>, with Σg² written to <paramref name="sums"/>[<paramref name="slot"/>].</summary>
    void ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated, Scalars sums, int slot) =>
        sums.Store(slot, ActivityStep(activation, step, activity, error, feedback, errorAbove, updated));

    /// <summary>As <see cref="AdamStep(in AdamStepParameters, Tensor, Tensor, Tensor, Tensor)"/>, with Σ(ΔW)² written to <paramref name="sums"/>[<paramref name="slot"/>].</summary>
    void AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Scalars sums, int slot) =>
        sums.Store(slot, AdamStep(parameters, weights, gradient, firstMoment, secondMoment));

    /// <summary>As <see cref="SumOfSquares(Tensor)"/>, with the sum written to <paramref name="sums"/>[<paramref name="slot"/>].</summary>
    void SumOfSquares(Tensor tensor, Scalars sums, int slot) => sums.Store(slot, SumOfSquares(tensor));

    /// <summary>Allocates a zero-filled rows×columns tensor.</summary>
    Tensor Allocate(int rows, int columns);

    /// <summary>Copies host values into a tensor (converted to the backend's precision).</summary>
    void Upload(ReadOnlySpan<float> source, Tensor destination);

    /// <summary>Copies host values into a tensor (converted to the backend's precision).</summary>
    void Upload(ReadOnlySpan<double> source, Tensor destination);

    /// <summary>Copies a tensor to host memory.</summary>
    void Download(Tensor source, Span<float> destination);

    /// <summary>Copies a tensor to host memory.</summary>
    void Download(Tensor source, Span<double> destination);

    /// <summary>Computes <c>dst = src</c>.</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>Computes <c>dst = srcᵀ</c>.</summary>
    void Transpose(Tensor source, Tensor destination);

    /// <summary>Computes <c>u = φ(z)</c> element-wise.</summary>
    void Activate(Activation activation, Tensor activity, Tensor output);

    /// <summary>
    /// Computes the prediction <c>μ = a·u·Wᵀ + z_prev</c>, where <paramref name="weightsTransposed"/> holds Wᵀ (N_in×N_out)
    /// and <paramref name="residual"/> is the identity skip (null when the layer has none).
    /// </summary>
    void Predict(double scale, Tensor input, Tensor weightsTransposed, Tensor? residual, Tensor prediction);

    /// <summary>Computes <c>ε = z − μ</c> and returns <c>½‖ε‖²</c> summed over the batch (not divided by B).</summary>
    double PredictionError(Tensor activity, Tensor prediction, Tensor error);

    /// <summary>
    /// From targets y and logits ŷ, computes the output error <c>d = y − ŷ</c> (MSE) or <c>d = y − softmax(ŷ)·Σy</c> (CE)
    /// and returns the output energy summed over the batch: <c>½‖y − ŷ‖²</c> or <c>−Σ y·log_softmax(ŷ)</c>.
    /// </summary>
    double OutputError(LossKind loss, Tensor target, Tensor logits, Tensor error);

    /// <summary>Computes the feedback sent to the layer below, <c>fb = a·d·W</c> (B×N_in); the receiver applies its own φ′.</summary>
    void Feedback(double scale, Tensor error, Tensor weights, Tensor feedback);

    /// <summary>
    /// One gradient-descent inference step on a hidden layer: <c>z′ = z − step·(ε − φ′(z)⊙fb − d_above)</c>, where
    /// <paramref name="errorAbove"/> is the error of the layer above when it has an identity skip (else null).
    /// With step = β/B this is <c>z ← z − β·∂F/∂z</c> (spec §2.1). z′ goes to <paramref name="updated"/>, which may be
    /// <paramref name="activity"/> itself (in place) or another tensor (a layer double-buffers z, so the z it sent to
    /// its neighbour is never overwritten while a message refers to it). Returns <c>Σ g²</c> over the tensor, where
    /// <c>g = ε − φ′(z)⊙fb − d_above</c> is the gradient before scaling (∂F/∂z = g/B), for the activity-gradient metric.
    /// </summary>
    double ActivityStep(Activation activation, double step, Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated);

    /// <summary>
    /// Backprop through a hidden layer: <c>e = φ′(z)⊙fb + e_above</c> (<paramref name="errorAbove"/> null without a skip),
    /// where e is the negative loss gradient up to a constant factor.
    /// </summary>
    void Backpropagate(Activation activation, Tensor activity, Tensor feedback, Tensor? errorAbove, Tensor error);

    /// <summary>Computes the weight gradient <c>G = c·dᵀ·u</c> (N_out×N_in); PC uses c = −a/B (spec §2.1).</summary>
    void WeightGradient(double scale, Tensor error, Tensor input, Tensor gradient);

    /// <summary>One Adam step on <paramref name="weights"/> in place, updating both moments; returns <c>Σ (ΔW)²</c>.</summary>
    double AdamStep(in AdamStepParameters parameters, Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment);

    /// <summary>Returns <c>Σ x²</c> over the tensor (for norms).</summary>
    double SumOfSquares(Tensor tensor);
}
