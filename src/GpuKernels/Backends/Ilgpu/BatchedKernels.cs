using ILGPU;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The kernels of <see cref="IlgpuBackend"/>, each launched once for many tensors (the same phase of every layer that
/// is ready): static methods, value-type arguments only, operands addressed by offsets into one pool chunk through a
/// table of items. Element-wise work runs one group per item and segment; reductions one group per item, whose threads
/// sum in double over a fixed stride and then pairwise in shared memory, so every sum has the same bits run after
/// run. Products are register-tiled: s×s threads (16×16 on a GPU) compute a 4s×4s tile of C, 4×4 outputs each, from
/// 4s×16 and 16×4s tiles of A and B staged in shared memory with coalesced loads; each output sums over k in ascending
/// order, so the bits do not depend on s.
/// </summary>
internal static class BatchedKernels
{
    /// <summary>Threads along each side of a product's group on a GPU (the group is square: 16×16).</summary>
    public const int GemmThreads = 16;

    /// <summary>Outputs along each side per thread.</summary>
    public const int GemmPerThread = 4;

    /// <summary>The slice of k staged per round.</summary>
    public const int GemmDepth = 16;

    /// <summary>Elements per thread in one segment of a non-reducing element-wise item.</summary>
    public const int ElementsPerThread = 8;

    /// <summary>
    /// One element-wise operation (<paramref name="op"/>, an <see cref="ElementwiseOp"/>) on the item of this group's
    /// Y index, over the segment of its X index (reductions run one segment: X is 0). Group size is a power of two,
    /// with as many doubles of dynamic shared memory.
    /// </summary>
    public static void Elementwise(ArrayView<float> pool, ArrayView<double> sums, ArrayView<ElementwiseItem> items, int op, AdamArguments adam)
    {
        ElementwiseItem item = items[Grid.IdxY];
        int threads = Group.DimX;
        int tid = Group.IdxX;
        bool reduces = op == (int)ElementwiseOp.PredictionError || op == (int)ElementwiseOp.ActivityStep || op == (int)ElementwiseOp.Adam
            || op == (int)ElementwiseOp.SumOfSquares || op == (int)ElementwiseOp.CrossEntropyError;
        int start = reduces ? 0 : Grid.IdxX * threads * ElementsPerThread;
        int end = reduces ? item.Length : start + (threads * ElementsPerThread);
        end = end < item.Length ? end : item.Length;
        double sum = 0.0;
        for (int i = start + tid; i < end; i += threads)
        {
            sum += Apply(pool, item, op, adam, i);
        }

        if (!reduces)
        {
            return;
        }

        ArrayView<double> shared = SharedMemory.GetDynamic<double>();
        shared[tid] = sum;
        Group.Barrier();
        for (int half = threads / 2; half > 0; half /= 2)
        {
            if (tid < half)
            {
                shared[tid] += shared[tid + half];
            }

            Group.Barrier();
        }

        if (tid == 0)
        {
            sums[item.Slot] = shared[0];
        }
    }

    /// <summary>
    /// A batch of products <c>C = α·op(A)·B (+ R)</c> of one shape (C m×n, sum over k; A is k×m when
    /// <paramref name="transposeA"/> is 1): the item is the group's Z index, the 4s×4s tile of C its X (columns) and Y
    /// (rows) indices, for a square group of s×s threads with 2·16·4s floats of dynamic shared memory.
    /// </summary>
    public static void Gemm(ArrayView<float> pool, ArrayView<GemmItem> items, int m, int n, int k, int transposeA, int hasResidual)
    {
        int side = Group.DimX;
        int tile = side * GemmPerThread;
        ArrayView<float> shared = SharedMemory.GetDynamic<float>();
        ArrayView<float> tileA = shared.SubView(0, GemmDepth * tile);
        ArrayView<float> tileB = shared.SubView(GemmDepth * tile, GemmDepth * tile);
        GemmItem item = items[Grid.IdxZ];
        int tx = Group.IdxX, ty = Group.IdxY;
        int tid = (ty * side) + tx;
        int rowBase = Grid.IdxY * tile, columnBase = Grid.IdxX * tile;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f, c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f, c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        int loads = GemmDepth * tile / (side * side);
        for (int t = 0; t < k; t += GemmDepth)
        {
            for (int q = 0; q < loads; q++)
            {
                int e = tid + (q * side * side);
                int r, kk;
                if (transposeA != 0)
                {
                    // Aᵀ's rows are A's columns: a run of 4s threads reads 4s neighbours of one row of A.
                    kk = e / tile;
                    r = e - (kk * tile);
                    tileA[(kk * tile) + r] = t + kk < k && rowBase + r < m ? pool[item.A + ((long)(t + kk) * m) + rowBase + r] : 0f;
                }
                else
                {
                    r = e / GemmDepth;
                    kk = e - (r * GemmDepth);
                    tileA[(kk * tile) + r] = t + kk < k && rowBase + r < m ? pool[item.A + ((long)(rowBase + r) * k) + t + kk] : 0f;
                }

                int kb = e / tile;
                int cb = e - (kb * tile);
                tileB[(kb * tile) + cb] = t + kb < k && columnBase + cb < n ? pool[item.B + ((long)(t + kb) * n) + columnBase + cb] : 0f;
            }

            Group.Barrier();
            int depth = k - t < GemmDepth ? k - t : GemmDepth;
            for (int kk = 0; kk < depth; kk++)
            {
                int ra = (kk * tile) + ty;
                float a0 = tileA[ra], a1 = tileA[ra + side], a2 = tileA[ra + (2 * side)], a3 = tileA[ra + (3 * side)];
                int rb = (kk * tile) + tx;
                float b0 = tileB[rb], b1 = tileB[rb + side], b2 = tileB[rb + (2 * side)], b3 = tileB[rb + (3 * side)];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }

            Group.Barrier();
        }

        int row = rowBase + ty, column = columnBase + tx;
        Store(pool, item, hasResidual, m, n, side, row, column, c00, c01, c02, c03);
        Store(pool, item, hasResidual, m, n, side, row + side, column, c10, c11, c12, c13);
        Store(pool, item, hasResidual, m, n, side, row + (2 * side), column, c20, c21, c22, c23);
        Store(pool, item, hasResidual, m, n, side, row + (3 * side), column, c30, c31, c32, c33);
    }

    /// <summary>Writes one thread's four outputs of a row (columns s apart, so a warp's stores are contiguous).</summary>
    private static void Store(ArrayView<float> pool, GemmItem item, int hasResidual, int m, int n, int side, int row, int column, float v0, float v1, float v2, float v3)
    {
        if (row >= m)
        {
            return;
        }

        long o = ((long)row * n) + column;
        StoreOne(pool, item, hasResidual, o, column < n, v0);
        StoreOne(pool, item, hasResidual, o + side, column + side < n, v1);
        StoreOne(pool, item, hasResidual, o + (2 * side), column + (2 * side) < n, v2);
        StoreOne(pool, item, hasResidual, o + (3 * side), column + (3 * side) < n, v3);
    }

    private static void StoreOne(ArrayView<float> pool, GemmItem item, int hasResidual, long o, bool inside, float sum)
    {
        if (inside)
        {
            pool[item.C + o] = hasResidual != 0 ? (item.Alpha * sum) + pool[item.R + o] : item.Alpha * sum;
        }
    }

    /// <summary>Element (or, for the cross-entropy error, row) <paramref name="i"/> of one operation; returns its term of the sum.</summary>
    private static double Apply(ArrayView<float> pool, ElementwiseItem item, int op, AdamArguments adam, int i)
    {
        switch (op)
        {
            case (int)ElementwiseOp.Copy:
                pool[item.C + i] = pool[item.A + i];
                return 0.0;
            case (int)ElementwiseOp.Zero:
                pool[item.C + i] = 0f;
                return 0.0;
            case (int)ElementwiseOp.Activate:
                pool[item.C + i] = IlgpuActivations.Value(item.Activation, pool[item.A + i]);
                return 0.0;
            case (int)ElementwiseOp.Transpose:
                {
                    int c = i / item.Rows;
                    int r = i - (c * item.Rows);
                    pool[item.C + i] = pool[item.A + ((long)r * item.Columns) + c];
                    return 0.0;
                }

            case (int)ElementwiseOp.PredictionError:
                {
                    float e = pool[item.A + i] - pool[item.B + i];
                    pool[item.C + i] = e;
                    return 0.5 * e * (double)e;
                }

            case (int)ElementwiseOp.ActivityStep:
                {
                    float z = pool[item.A + i];
                    float g = pool[item.B + i] - (IlgpuActivations.Slope(item.Activation, z) * pool[item.D + i]);
                    if (item.HasE != 0)
                    {
                        g -= pool[item.E + i];
                    }

                    pool[item.C + i] = z - (item.Step * g);
                    return g * (double)g;
                }

            case (int)ElementwiseOp.Backpropagate:
                {
                    float e = IlgpuActivations.Slope(item.Activation, pool[item.A + i]) * pool[item.D + i];
                    pool[item.C + i] = item.HasE != 0 ? e + pool[item.E + i] : e;
                    return 0.0;
                }

            case (int)ElementwiseOp.Adam:
                {
                    float g = pool[item.B + i];
                    float m = (adam.Beta1 * pool[item.D + i]) + (adam.OneMinusBeta1 * g);
                    float v = (adam.Beta2 * pool[item.E + i]) + (adam.OneMinusBeta2 * g * g);
                    pool[item.D + i] = m;
                    pool[item.E + i] = v;
                    float before = pool[item.A + i];
                    float after = before - (adam.LearningRate * (m * adam.FirstCorrection) / (MathF.Sqrt(v * adam.SecondCorrection) + adam.Epsilon));
                    pool[item.A + i] = after;
                    float change = after - before;
                    return change * (double)change;
                }

            case (int)ElementwiseOp.SumOfSquares:
                {
                    double x = pool[item.A + i];
                    return x * x;
                }

            case (int)ElementwiseOp.CrossEntropyError:
                return CrossEntropyRow(pool, item, i);
            default:
                return 0.0;
        }
    }

    /// <summary>
    /// For row <paramref name="row"/>: the max-stabilised <c>log_softmax(ŷ)</c>, <c>d = y − softmax(ŷ)·Σy</c>, and the
    /// row's <c>−Σ y·log_softmax(ŷ)</c> (accumulated in double).
    /// </summary>
    private static double CrossEntropyRow(ArrayView<float> pool, ElementwiseItem item, int row)
    {
        long o = (long)row * item.Columns;
        float max = float.NegativeInfinity;
        float targetSum = 0f;
        for (int j = 0; j < item.Columns; j++)
        {
            float x = pool[item.B + o + j];
            max = x > max ? x : max;
            targetSum += pool[item.A + o + j];
        }

        float expSum = 0f;
        for (int j = 0; j < item.Columns; j++)
        {
            expSum += IlgpuMath.Exp(pool[item.B + o + j] - max);
        }

        float logNorm = max + IlgpuMath.Log(expSum);
        double energy = 0.0;
        for (int j = 0; j < item.Columns; j++)
        {
            float logSoftmax = pool[item.B + o + j] - logNorm;
            float y = pool[item.A + o + j];
            energy -= y * (double)logSoftmax;
            pool[item.C + o + j] = y - (IlgpuMath.Exp(logSoftmax) * targetSum);
        }

        return energy;
    }
}
