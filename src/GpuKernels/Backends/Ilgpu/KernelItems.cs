using System.Runtime.InteropServices;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// One tensor operation of a batched element-wise launch (<see cref="BatchedKernels.Elementwise"/>): operands as element
/// offsets into the backend's pool chunk, their meaning set by the operation (<see cref="ElementwiseOp"/>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ElementwiseItem
{
    /// <summary>First input (z, the source, W).</summary>
    public long A;

    /// <summary>Second input (μ, ε, y's logits, G).</summary>
    public long B;

    /// <summary>The output.</summary>
    public long C;

    /// <summary>Third input (feedback, Adam's m).</summary>
    public long D;

    /// <summary>Fourth input (the error above, Adam's v).</summary>
    public long E;

    /// <summary>Elements (rows for the cross-entropy error).</summary>
    public int Length;

    /// <summary>Rows of the source (transpose, cross-entropy).</summary>
    public int Rows;

    /// <summary>Columns of the source (transpose, cross-entropy).</summary>
    public int Columns;

    /// <summary>The <see cref="Abstractions.Options.Activation"/> value.</summary>
    public int Activation;

    /// <summary>1 when <see cref="E"/> is read.</summary>
    public int HasE;

    /// <summary>Absolute index of the sum's slot in the scalar buffer (reductions only).</summary>
    public int Slot;

    /// <summary>The activity step size.</summary>
    public float Step;
}

/// <summary>One product of a batched GEMM launch: <c>C = α·op(A)·B (+ R)</c>, offsets into the pool chunk.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GemmItem
{
    /// <summary>A (m×k, or k×m when transposed).</summary>
    public long A;

    /// <summary>B (k×n).</summary>
    public long B;

    /// <summary>The residual R (m×n), read when the launch has one.</summary>
    public long R;

    /// <summary>C (m×n).</summary>
    public long C;

    /// <summary>α.</summary>
    public float Alpha;
}

/// <summary>Adam's constants for one launch (the same for every layer of a run's update).</summary>
/// <param name="LearningRate">η.</param>
/// <param name="Beta1">b1.</param>
/// <param name="OneMinusBeta1">1 − b1.</param>
/// <param name="Beta2">b2.</param>
/// <param name="OneMinusBeta2">1 − b2.</param>
/// <param name="Epsilon">eps.</param>
/// <param name="FirstCorrection">1/(1 − b1ᵗ).</param>
/// <param name="SecondCorrection">1/(1 − b2ᵗ).</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct AdamArguments(
    float LearningRate,
    float Beta1,
    float OneMinusBeta1,
    float Beta2,
    float OneMinusBeta2,
    float Epsilon,
    float FirstCorrection,
    float SecondCorrection)
{
    /// <summary>The float constants of <paramref name="p"/>.</summary>
    public static AdamArguments From(in AdamStepParameters p) => new(
        (float)p.LearningRate,
        (float)p.Beta1,
        (float)(1.0 - p.Beta1),
        (float)p.Beta2,
        (float)(1.0 - p.Beta2),
        (float)p.Epsilon,
        (float)p.FirstMomentCorrection,
        (float)p.SecondMomentCorrection);
}

/// <summary>The shape shared by the products of one batched GEMM launch.</summary>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The summed dimension.</param>
/// <param name="TransposeA">A is stored k×m.</param>
/// <param name="HasResidual">R is added.</param>
internal readonly record struct GemmShape(int M, int N, int K, bool TransposeA, bool HasResidual);

/// <summary>The element-wise operations of <see cref="BatchedKernels.Elementwise"/>.</summary>
internal enum ElementwiseOp
{
    /// <summary><c>C = A</c>.</summary>
    Copy,

    /// <summary><c>C = 0</c>.</summary>
    Zero,

    /// <summary><c>C = φ(A)</c>.</summary>
    Activate,

    /// <summary><c>C = Aᵀ</c>, A being Rows×Columns.</summary>
    Transpose,

    /// <summary><c>C = A − B</c> (ε = z − μ), sum <c>½ΣC²</c>.</summary>
    PredictionError,

    /// <summary><c>g = B − φ′(A)⊙D − E</c>, <c>C = A − step·g</c>, sum <c>Σg²</c>.</summary>
    ActivityStep,

    /// <summary><c>C = φ′(A)⊙D + E</c>.</summary>
    Backpropagate,

    /// <summary>Adam on W = A with G = B, m = D, v = E; sum <c>Σ(ΔW)²</c>.</summary>
    Adam,

    /// <summary>Sum <c>ΣA²</c>.</summary>
    SumOfSquares,

    /// <summary>Row-wise <c>d = y − softmax(ŷ)·Σy</c> with y = A, ŷ = B, d = C; sum <c>−Σ y·log_softmax(ŷ)</c>.</summary>
    CrossEntropyError,
}
