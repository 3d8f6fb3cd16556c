using ILGPU;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The kernels of <see cref="IlgpuBackend"/>: static methods, index first, value-type arguments only. Element-wise
/// kernels run one thread per element; reductions write one partial sum per row or per chunk of
/// <see cref="ChunkLength"/> elements, in a fixed order, for the host to add up in double; the three matrix
/// products share one shared-memory tiled kernel. Sums accumulate in float except the energies, which accumulate
/// in double per thread.
/// </summary>
internal static class IlgpuKernels
{
    /// <summary>Elements summed by one thread in the flat reductions (SumOfSquares, PredictionError).</summary>
    public const int ChunkLength = 256;

    /// <summary>Computes <c>dst = srcᵀ</c>, one thread per element of dst (columns×rows).</summary>
    public static void Transpose(Index1D index, ArrayView<float> source, ArrayView<float> destination, int rows, int columns)
    {
        int c = index / rows;
        int r = index - (c * rows);
        destination[index] = source[(r * columns) + c];
    }

    /// <summary>Computes <c>u = φ(z)</c>.</summary>
    public static void Activate(Index1D index, ArrayView<float> activity, ArrayView<float> output, int activation)
    {
        output[index] = IlgpuActivations.Value(activation, activity[index]);
    }

    /// <summary>
    /// Computes <c>C = α·op(A)·B + R</c> for row-major C (m×n) and B (k×n), where op(A) is A (m×k) or, when
    /// <paramref name="transposeA"/> is 1, Aᵀ with A stored k×m; R is added only when <paramref name="hasResidual"/>
    /// is 1. Explicitly grouped: tile×tile threads per group, one output each, over dynamic shared memory of
    /// tile·(tile + 1) + tile² floats (A's tile is padded by one column against bank conflicts). The sum over k runs
    /// in ascending order, in float.
    /// </summary>
    public static void Gemm(
        ArrayView<float> a,
        ArrayView<float> b,
        ArrayView<float> residual,
        ArrayView<float> c,
        int m,
        int n,
        int k,
        int transposeA,
        int hasResidual,
        float alpha,
        int tile)
    {
        ArrayView<float> shared = SharedMemory.GetDynamic<float>();
        int strideA = tile + 1;
        int offsetB = tile * strideA;
        int tx = Group.IdxX;
        int ty = Group.IdxY;
        int rowBase = Grid.IdxY * tile;
        int row = rowBase + ty;
        int column = (Grid.IdxX * tile) + tx;
        float sum = 0f;
        for (int t = 0; t < k; t += tile)
        {
            if (transposeA != 0)
            {
                // Aᵀ's rows are A's columns: neighbouring threads read neighbouring elements of one row of A.
                int ka = t + ty;
                int ra = rowBase + tx;
                shared[(tx * strideA) + ty] = ka < k && ra < m ? a[(ka * m) + ra] : 0f;
            }
            else
            {
                int ka = t + tx;
                shared[(ty * strideA) + tx] = row < m && ka < k ? a[(row * k) + ka] : 0f;
            }

            int kb = t + ty;
            shared[offsetB + (ty * tile) + tx] = kb < k && column < n ? b[(kb * n) + column] : 0f;
            Group.Barrier();

            int steps = k - t < tile ? k - t : tile;
            for (int q = 0; q < steps; q++)
            {
                sum += shared[(ty * strideA) + q] * shared[offsetB + (q * tile) + tx];
            }

            Group.Barrier();
        }

        if (row < m && column < n)
        {
            int o = (row * n) + column;
            c[o] = hasResidual != 0 ? (alpha * sum) + residual[o] : alpha * sum;
        }
    }

    /// <summary>Computes <c>ε = z − μ</c> over one chunk and writes that chunk's <c>½Σε²</c> (in double).</summary>
    public static void PredictionError(
        Index1D chunk,
        ArrayView<float> activity,
        ArrayView<float> prediction,
        ArrayView<float> error,
        ArrayView<double> partials,
        int length)
    {
        int start = chunk * ChunkLength;
        int end = length - start < ChunkLength ? length : start + ChunkLength;
        double energy = 0.0;
        for (int i = start; i < end; i++)
        {
            float e = activity[i] - prediction[i];
            error[i] = e;
            energy += 0.5 * e * (double)e;
        }

        partials[chunk] = energy;
    }

    /// <summary>
    /// For one row, computes the max-stabilised <c>log_softmax(ŷ)</c>, <c>d = y − softmax(ŷ)·Σy</c>, and writes the
    /// row's <c>−Σ y·log_softmax(ŷ)</c> (accumulated in double).
    /// </summary>
    public static void OutputErrorCrossEntropy(
        Index1D row,
        ArrayView<float> target,
        ArrayView<float> logits,
        ArrayView<float> error,
        ArrayView<double> partials,
        int classes)
    {
        int o = row * classes;
        float max = float.NegativeInfinity;
        float targetSum = 0f;
        for (int j = o; j < o + classes; j++)
        {
            float x = logits[j];
            max = x > max ? x : max;
            targetSum += target[j];
        }

        float expSum = 0f;
        for (int j = o; j < o + classes; j++)
        {
            expSum += IlgpuMath.Exp(logits[j] - max);
        }

        float logNorm = max + IlgpuMath.Log(expSum);
        double energy = 0.0;
        for (int j = o; j < o + classes; j++)
        {
            float logSoftmax = logits[j] - logNorm;
            float y = target[j];
            energy -= y * (double)logSoftmax;
            error[j] = y - (IlgpuMath.Exp(logSoftmax) * targetSum);
        }

        partials[row] = energy;
    }

    /// <summary>
    /// Computes <c>z′ = z − step·(ε − φ′(z)⊙fb − d_above)</c> into <paramref name="updated"/> (which may be
    /// <paramref name="activity"/>); <paramref name="errorAbove"/> is read only when <paramref name="hasErrorAbove"/> is 1.
    /// </summary>
    public static void ActivityStep(
        Index1D index,
        ArrayView<float> activity,
        ArrayView<float> error,
        ArrayView<float> feedback,
        ArrayView<float> errorAbove,
        int hasErrorAbove,
        int activation,
        float step,
        ArrayView<float> updated)
    {
        float z = activity[index];
        float gradient = error[index] - (IlgpuActivations.Slope(activation, z) * feedback[index]);
        if (hasErrorAbove != 0)
        {
            gradient -= errorAbove[index];
        }

        updated[index] = z - (step * gradient);
    }

    /// <summary>
    /// Computes <c>e = φ′(z)⊙fb + e_above</c>; <paramref name="errorAbove"/> is read only when
    /// <paramref name="hasErrorAbove"/> is 1.
    /// </summary>
    public static void Backpropagate(
        Index1D index,
        ArrayView<float> activity,
        ArrayView<float> feedback,
        ArrayView<float> errorAbove,
        int hasErrorAbove,
        ArrayView<float> error,
        int activation)
    {
        float e = IlgpuActivations.Slope(activation, activity[index]) * feedback[index];
        error[index] = hasErrorAbove != 0 ? e + errorAbove[index] : e;
    }

    /// <summary>
    /// One Adam step: <c>m ← b1·m + (1−b1)·g</c>, <c>v ← b2·v + (1−b2)·g²</c>,
    /// <c>W ← W − η·(m·c1)/(√(v·c2) + eps)</c>, with the bias corrections c1, c2 computed on the host.
    /// </summary>
    public static void AdamStep(
        Index1D index,
        ArrayView<float> weights,
        ArrayView<float> gradient,
        ArrayView<float> firstMoment,
        ArrayView<float> secondMoment,
        float learningRate,
        float beta1,
        float oneMinusBeta1,
        float beta2,
        float oneMinusBeta2,
        float epsilon,
        float firstCorrection,
        float secondCorrection)
    {
        float g = gradient[index];
        float m = (beta1 * firstMoment[index]) + (oneMinusBeta1 * g);
        float v = (beta2 * secondMoment[index]) + (oneMinusBeta2 * g * g);
        firstMoment[index] = m;
        secondMoment[index] = v;
        weights[index] -= learningRate * (m * firstCorrection) / (MathF.Sqrt(v * secondCorrection) + epsilon);
    }

    /// <summary>Writes one chunk's <c>Σx²</c> (in double).</summary>
    public static void SumOfSquares(Index1D chunk, ArrayView<float> values, ArrayView<double> partials, int length)
    {
        int start = chunk * ChunkLength;
        int end = length - start < ChunkLength ? length : start + ChunkLength;
        double sum = 0.0;
        for (int i = start; i < end; i++)
        {
            double x = values[i];
            sum += x * x;
        }

        partials[chunk] = sum;
    }
}
