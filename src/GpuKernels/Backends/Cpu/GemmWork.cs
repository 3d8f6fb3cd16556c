namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>
/// One GEMM call split into 64-column chunks across the cores. One instance per calling thread is reused for every
/// call, so a GEMM allocates nothing.
/// </summary>
internal sealed unsafe class GemmWork : IParallelWork
{
    /// <summary>Below this many multiply-adds a GEMM runs on the calling thread: waking a core costs more.</summary>
    public const long ParallelThreshold = 1 << 17;

    private const int ChunkColumns = 64;

    [ThreadStatic]
    private static GemmWork? _perThread;

    private int _m, _k, _n, _aRowStride, _aColumnStride;
    private float _alpha;
    private float* _a, _b, _addend, _c;

    /// <summary>C = α·op(A)·B + R over all columns, on the cores when allowed and the product is large enough.</summary>
    public static void Run(bool parallel, int m, int k, int n, float alpha, float* a, int aRowStride, int aColumnStride, float* b, float* addend, float* c)
    {
        int chunks = (n + ChunkColumns - 1) / ChunkColumns;
        if (!parallel || (long)m * k * n < ParallelThreshold || chunks < 2)
        {
            Gemm.Multiply(m, k, n, alpha, a, aRowStride, aColumnStride, b, addend, c, 0, n);
            return;
        }

        GemmWork work = _perThread ??= new GemmWork();
        (work._m, work._k, work._n, work._alpha) = (m, k, n, alpha);
        (work._aRowStride, work._aColumnStride) = (aRowStride, aColumnStride);
        work._a = a;
        work._b = b;
        work._addend = addend;
        work._c = c;
        CoreParallel.Shared.Run(work, chunks);
        work._a = work._b = work._addend = work._c = null;
    }

    /// <inheritdoc/>
    public void Run(int chunk, int chunkCount)
    {
        int start = chunk * ChunkColumns;
        Gemm.Multiply(_m, _k, _n, _alpha, _a, _aRowStride, _aColumnStride, _b, _addend, _c, start, Math.Min(_n, start + ChunkColumns));
    }
}
