using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;

namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>
/// Single-pass Vector512 loops for the element-wise work of every inference step, where chaining TensorPrimitives
/// calls would stream the same B×N arrays four or five times. Fixed order of operations, so results are reproducible.
/// Like every CPU kernel, they are compiled optimised on first use: first-tier code of a vector loop is many times
/// slower, and a fresh `pcn train` would spend its first hundreds of batches in it.
/// </summary>
internal static unsafe class CpuFused
{
    /// <summary>Computes <c>d = a − b</c> and returns <c>Σ d²</c> (four float lanes-sets, combined in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SubtractAndSumSquares(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> difference)
    {
        int i = 0, n = a.Length;
        double sum = 0;
        fixed (float* pa = a, pb = b, pd = difference)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> s0 = default, s1 = default;
                for (; i + 32 <= n; i += 32)
                {
                    Vector512<float> d0 = Vector512.Load(pa + i) - Vector512.Load(pb + i);
                    Vector512<float> d1 = Vector512.Load(pa + i + 16) - Vector512.Load(pb + i + 16);
                    d0.Store(pd + i);
                    d1.Store(pd + i + 16);
                    s0 = Vector512.FusedMultiplyAdd(d0, d0, s0);
                    s1 = Vector512.FusedMultiplyAdd(d1, d1, s1);
                }

                sum = (double)Vector512.Sum(s0) + Vector512.Sum(s1);
            }

            for (; i < n; i++)
            {
                float d = pa[i] - pb[i];
                pd[i] = d;
                sum += d * d;
            }
        }

        return sum;
    }

    /// <summary>
    /// For φ with a mask-like slope (linear, ReLU, leaky ReLU): in one pass, <c>z′ = z − step·(ε − φ′(z)⊙fb − d_above)</c>
    /// into <paramref name="next"/> (which may be <paramref name="z"/>; <paramref name="above"/> empty when there is no
    /// skip), returning Σ g². Returns null for other activations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double? TryActivityStep(Activation activation, float step, ReadOnlySpan<float> z, ReadOnlySpan<float> error, ReadOnlySpan<float> feedback, ReadOnlySpan<float> above, Span<float> next)
    {
        if (activation is not (Activation.Linear or Activation.Relu or Activation.LeakyRelu) || !Vector512.IsHardwareAccelerated)
        {
            return null;
        }

        double squares;

        bool skip = !above.IsEmpty;
        float negativeSlope = activation switch
        {
            Activation.Linear => 1f,
            Activation.LeakyRelu => LeakyReluOperator.NegativeSlope,
            _ => 0f,
        };
        int i = 0, n = z.Length;
        fixed (float* pz = z, pe = error, pf = feedback, pa = above, pn = next)
        {
            Vector512<float> minusStep = Vector512.Create(-step), low = Vector512.Create(negativeSlope), sum = default;
            for (; i + 16 <= n; i += 16)
            {
                Vector512<float> zv = Vector512.Load(pz + i);
                Vector512<float> slope = activation == Activation.Relu
                    ? Vector512.ConditionalSelect(Vector512.GreaterThan(zv, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero)
                    : Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(zv, Vector512<float>.Zero), Vector512<float>.One, low);
                Vector512<float> g = Vector512.Load(pe + i) - (slope * Vector512.Load(pf + i));
                if (skip)
                {
                    g -= Vector512.Load(pa + i);
                }

                Vector512.FusedMultiplyAdd(g, minusStep, zv).Store(pn + i);
                sum = Vector512.FusedMultiplyAdd(g, g, sum);
            }

            squares = Vector512.Sum(sum);
            for (; i < n; i++)
            {
                float slope = activation == Activation.Relu ? (pz[i] > 0f ? 1f : 0f) : (pz[i] >= 0f ? 1f : negativeSlope);
                float g = pe[i] - (slope * pf[i]) - (skip ? pa[i] : 0f);
                pn[i] = MathF.FusedMultiplyAdd(g, -step, pz[i]);
                squares += g * g;
            }
        }

        return squares;
    }
}
