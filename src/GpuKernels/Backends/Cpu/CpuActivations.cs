using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;

namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>
/// φ(z) and φ′(z)⊙g over spans: SIMD for the activations the paper uses (linear, ReLU, leaky ReLU, tanh through
/// TensorPrimitives), the shared scalar operators for the others.
/// </summary>
internal static class CpuActivations
{
    [ThreadStatic]
    private static float[]? _scratch;

    /// <summary>Computes <c>u = φ(z)</c>.</summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> z, Span<float> u)
    {
        switch (activation)
        {
            case Activation.Linear:
                z.CopyTo(u);
                break;
            case Activation.Relu:
                TensorPrimitives.Max(z, 0f, u);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(z, u);
                break;
            case Activation.LeakyRelu:
                LeakyRelu(z, u);
                break;
            case Activation.HardTanh:
                TensorPrimitives.Clamp(z, -1f, 1f, u);
                break;
            case Activation.Gelu:
                Map<GeluOperator>(z, u);
                break;
            case Activation.Selu:
                Map<SeluOperator>(z, u);
                break;
            case Activation.Silu:
                Map<SiluOperator>(z, u);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Computes <c>dst = φ′(z)⊙g</c> (<paramref name="destination"/> may alias <paramref name="g"/>).</summary>
    public static void MultiplySlope(Activation activation, ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> destination)
    {
        switch (activation)
        {
            case Activation.Linear:
                g.CopyTo(destination);
                break;
            case Activation.Relu:
                ReluSlope(z, g, destination);
                break;
            case Activation.Tanh:
                TanhSlope(z, g, destination);
                break;
            case Activation.LeakyRelu:
                SlopeMap<LeakyReluOperator>(z, g, destination);
                break;
            case Activation.HardTanh:
                SlopeMap<HardTanhOperator>(z, g, destination);
                break;
            case Activation.Gelu:
                SlopeMap<GeluOperator>(z, g, destination);
                break;
            case Activation.Selu:
                SlopeMap<SeluOperator>(z, g, destination);
                break;
            case Activation.Silu:
                SlopeMap<SiluOperator>(z, g, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>A per-thread scratch span of at least <paramref name="length"/> floats; grows, never shrinks.</summary>
    public static Span<float> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length)
        {
            _scratch = new float[length];
        }

        return _scratch.AsSpan(0, length);
    }

    /// <summary>(1 − tanh² z)⊙g in blocks on the stack, so it never touches the shared scratch (callers use it for g).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TanhSlope(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> destination)
    {
        const int Block = 256;
        Span<float> t = stackalloc float[Block];
        for (int start = 0; start < z.Length; start += Block)
        {
            int length = Math.Min(Block, z.Length - start);
            Span<float> tb = t[..length];
            TensorPrimitives.Tanh(z.Slice(start, length), tb);
            TensorPrimitives.MultiplyAdd(tb, tb, -1f, tb);  // t² − 1 = −φ′
            TensorPrimitives.Multiply(tb, g.Slice(start, length), destination.Slice(start, length));
            TensorPrimitives.Negate(destination.Slice(start, length), destination.Slice(start, length));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ReluSlope(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> destination)
    {
        int i = 0;
        fixed (float* pz = z, pg = g, pd = destination)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= z.Length; i += 16)
                {
                    Vector512<float> mask = Vector512.GreaterThan(Vector512.Load(pz + i), Vector512<float>.Zero);
                    Vector512.BitwiseAnd(mask, Vector512.Load(pg + i)).Store(pd + i);
                }
            }

            for (; i < z.Length; i++)
            {
                pd[i] = pz[i] > 0f ? pg[i] : 0f;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LeakyRelu(ReadOnlySpan<float> z, Span<float> u)
    {
        int i = 0;
        fixed (float* pz = z, pu = u)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= z.Length; i += 16)
                {
                    Vector512<float> x = Vector512.Load(pz + i);
                    Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), x, x * LeakyReluOperator.NegativeSlope).Store(pu + i);
                }
            }

            for (; i < z.Length; i++)
            {
                pu[i] = LeakyReluOperator.Value(pz[i]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOperator>(ReadOnlySpan<float> z, Span<float> u)
        where TOperator : IActivationOperator
    {
        for (int i = 0; i < z.Length; i++)
        {
            u[i] = TOperator.Value(z[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SlopeMap<TOperator>(ReadOnlySpan<float> z, ReadOnlySpan<float> g, Span<float> destination)
        where TOperator : IActivationOperator
    {
        for (int i = 0; i < z.Length; i++)
        {
            destination[i] = TOperator.Slope(z[i]) * g[i];
        }
    }
}
