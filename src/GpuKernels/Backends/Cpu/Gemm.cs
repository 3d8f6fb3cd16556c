using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>
/// Single-precision GEMM, <c>C = α·op(A)·B + R</c>, register-tiled for AVX-512 (a 4×64 tile: 16 Vector512
/// accumulators) with a Vector256 path (4×32) for machines without it, and scalar edges. B is row-major K×N and
/// read in place (no packing): the three products PC needs are all of this form once a layer keeps Wᵀ beside W.
/// op(A) is addressed by strides, so Aᵀ costs nothing: element (i, p) is <c>a[i·rowStride + p·colStride]</c>.
/// R (optional) is an addend with C's layout (the identity skip). Each output element is a sum over p in order
/// 0..K−1 into one accumulator, so results do not depend on tiling or threading.
/// </summary>
internal static unsafe class Gemm
{
    private const int Rows = 4;

    [ThreadStatic]
    private static float[]? _panel;

    /// <summary>Columns [<paramref name="columnStart"/>, <paramref name="columnEnd"/>) of C = α·op(A)·B + R.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(
        int m, int k, int n, float alpha,
        float* a, int aRowStride, int aColumnStride,
        float* b, float* addend, float* c, int columnStart, int columnEnd)
    {
        int j = columnStart;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 64 <= columnEnd; j += 64)
            {
                int i = 0;
                for (; i + Rows <= m; i += Rows)
                {
                    Tile512x4(k, n, n, alpha, a + (i * aRowStride), aRowStride, aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j);
                }

                for (; i < m; i++)
                {
                    Row512x4(k, n, alpha, a + (i * aRowStride), aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j);
                }
            }

            for (; j + 16 <= columnEnd; j += 16)
            {
                for (int i = 0; i < m; i++)
                {
                    Row512x1(k, n, alpha, a + (i * aRowStride), aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j);
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 32 <= columnEnd; j += 32)
            {
                int i = 0;
                for (; i + Rows <= m; i += Rows)
                {
                    Tile256x4(k, n, alpha, a + (i * aRowStride), aRowStride, aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j);
                }

                for (; i < m; i++)
                {
                    ScalarColumns(k, n, alpha, a + (i * aRowStride), aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j, 32);
                }
            }
        }

        if (j < columnEnd && Vector512.IsHardwareAccelerated)
        {
            NarrowColumns(m, k, n, alpha, a, aRowStride, aColumnStride, b + j, Offset(addend, j), c + j, columnEnd - j);
            return;
        }

        if (j < columnEnd)
        {
            for (int i = 0; i < m; i++)
            {
                ScalarColumns(k, n, alpha, a + (i * aRowStride), aColumnStride, b + j, Offset(addend, (i * n) + j), c + (i * n) + j, columnEnd - j);
            }
        }
    }

    private static float* Offset(float* p, int offset) => p == null ? null : p + offset;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512x4(int k, int ldb, int ldc, float alpha, float* a, int ars, int acs, float* b, float* r, float* c)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        float* a0 = a, a1 = a + ars, a2 = a + (2 * ars), a3 = a + (3 * ars);
        for (int p = 0; p < k; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16), b2 = Vector512.Load(b + 32), b3 = Vector512.Load(b + 48);
            b += ldb;
            Vector512<float> x = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            c03 = Vector512.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            c13 = Vector512.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            c23 = Vector512.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
            c33 = Vector512.FusedMultiplyAdd(x, b3, c33);
            a0 += acs;
            a1 += acs;
            a2 += acs;
            a3 += acs;
        }

        Store512x4(alpha, c00, c01, c02, c03, r, c);
        Store512x4(alpha, c10, c11, c12, c13, Offset(r, ldc), c + ldc);
        Store512x4(alpha, c20, c21, c22, c23, Offset(r, 2 * ldc), c + (2 * ldc));
        Store512x4(alpha, c30, c31, c32, c33, Offset(r, 3 * ldc), c + (3 * ldc));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row512x4(int k, int ldb, float alpha, float* a, int acs, float* b, float* r, float* c)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < k; p++)
        {
            Vector512<float> x = Vector512.Create(*a);
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(x, Vector512.Load(b + 48), c3);
            a += acs;
            b += ldb;
        }

        Store512x4(alpha, c0, c1, c2, c3, r, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row512x1(int k, int ldb, float alpha, float* a, int acs, float* b, float* r, float* c)
    {
        Vector512<float> c0 = default;
        for (int p = 0; p < k; p++)
        {
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a), Vector512.Load(b), c0);
            a += acs;
            b += ldb;
        }

        Store512(alpha, c0, r, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512x4(float alpha, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, float* r, float* c)
    {
        Store512(alpha, v0, r, c);
        Store512(alpha, v1, Offset(r, 16), c + 16);
        Store512(alpha, v2, Offset(r, 32), c + 32);
        Store512(alpha, v3, Offset(r, 48), c + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float alpha, Vector512<float> v, float* r, float* c)
    {
        Vector512<float> scaled = v * alpha;
        (r == null ? scaled : scaled + Vector512.Load(r)).Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256x4(int k, int ldb, float alpha, float* a, int ars, int acs, float* b, float* r, float* c)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default, c33 = default;
        float* a0 = a, a1 = a + ars, a2 = a + (2 * ars), a3 = a + (3 * ars);
        for (int p = 0; p < k; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8), b2 = Vector256.Load(b + 16), b3 = Vector256.Load(b + 24);
            b += ldb;
            Vector256<float> x = Vector256.Create(*a0);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            c02 = Vector256.FusedMultiplyAdd(x, b2, c02);
            c03 = Vector256.FusedMultiplyAdd(x, b3, c03);
            x = Vector256.Create(*a1);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            c12 = Vector256.FusedMultiplyAdd(x, b2, c12);
            c13 = Vector256.FusedMultiplyAdd(x, b3, c13);
            x = Vector256.Create(*a2);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            c22 = Vector256.FusedMultiplyAdd(x, b2, c22);
            c23 = Vector256.FusedMultiplyAdd(x, b3, c23);
            x = Vector256.Create(*a3);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            c32 = Vector256.FusedMultiplyAdd(x, b2, c32);
            c33 = Vector256.FusedMultiplyAdd(x, b3, c33);
            a0 += acs;
            a1 += acs;
            a2 += acs;
            a3 += acs;
        }

        Store256x4(alpha, c00, c01, c02, c03, r, c);
        Store256x4(alpha, c10, c11, c12, c13, Offset(r, ldb), c + ldb);
        Store256x4(alpha, c20, c21, c22, c23, Offset(r, 2 * ldb), c + (2 * ldb));
        Store256x4(alpha, c30, c31, c32, c33, Offset(r, 3 * ldb), c + (3 * ldb));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256x4(float alpha, Vector256<float> v0, Vector256<float> v1, Vector256<float> v2, Vector256<float> v3, float* r, float* c)
    {
        Store256(alpha, v0, r, c);
        Store256(alpha, v1, Offset(r, 8), c + 8);
        Store256(alpha, v2, Offset(r, 16), c + 16);
        Store256(alpha, v3, Offset(r, 24), c + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float alpha, Vector256<float> v, float* r, float* c)
    {
        Vector256<float> scaled = v * alpha;
        (r == null ? scaled : scaled + Vector256.Load(r)).Store(c);
    }

    /// <summary>
    /// The last <paramref name="columns"/> &lt; 16 columns (the 10-class output layer): B's columns are copied into a
    /// zero-padded K×16 panel so the vector kernel computes them; the padding lanes are discarded. Each kept element
    /// is the same in-order FMA chain as the scalar path would compute, so results are unchanged.
    /// </summary>
    private static void NarrowColumns(int m, int k, int n, float alpha, float* a, int ars, int acs, float* b, float* r, float* c, int columns)
    {
        const int Width = 16;
        Span<float> tile = stackalloc float[Rows * Width];
        float[] panelArray = _panel is { } existing && existing.Length >= k * Width ? existing : (_panel = new float[k * Width]);
        fixed (float* panel = panelArray, t = tile)
        {
            for (int p = 0; p < k; p++)
            {
                float* src = b + ((long)p * n);
                float* dst = panel + (p * Width);
                for (int j = 0; j < Width; j++)
                {
                    dst[j] = j < columns ? src[j] : 0f;
                }
            }

            for (int i = 0; i < m; i += Rows)
            {
                int rows = Math.Min(Rows, m - i);
                if (rows == Rows)
                {
                    Tile512x1x4(k, alpha, a + (i * ars), ars, acs, panel, t);
                }
                else
                {
                    for (int q = 0; q < rows; q++)
                    {
                        Row512x1(k, Width, alpha, a + ((i + q) * ars), acs, panel, null, t + (q * Width));
                    }
                }

                for (int q = 0; q < rows; q++)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        c[((i + q) * n) + j] = t[(q * Width) + j] + (r == null ? 0f : r[((i + q) * n) + j]);
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512x1x4(int k, float alpha, float* a, int ars, int acs, float* panel, float* t)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        float* a0 = a, a1 = a + ars, a2 = a + (2 * ars), a3 = a + (3 * ars);
        for (int p = 0; p < k; p++)
        {
            Vector512<float> bp = Vector512.Load(panel + (p * 16));
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a0), bp, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(*a1), bp, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(*a2), bp, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(*a3), bp, c3);
            a0 += acs;
            a1 += acs;
            a2 += acs;
            a3 += acs;
        }

        (c0 * alpha).Store(t);
        (c1 * alpha).Store(t + 16);
        (c2 * alpha).Store(t + 32);
        (c3 * alpha).Store(t + 48);
    }

    private static void ScalarColumns(int k, int ldb, float alpha, float* a, int acs, float* b, float* r, float* c, int columns)
    {
        for (int j = 0; j < columns; j++)
        {
            float sum = 0;
            float* ap = a;
            float* bp = b + j;
            for (int p = 0; p < k; p++)
            {
                sum = MathF.FusedMultiplyAdd(*ap, *bp, sum);
                ap += acs;
                bp += ldb;
            }

            c[j] = (alpha * sum) + (r == null ? 0f : r[j]);
        }
    }
}
