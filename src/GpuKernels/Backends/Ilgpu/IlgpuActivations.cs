using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Numerics;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// φ and φ′ in float32 inside kernels, selected by the <see cref="Activation"/> value as an int. The piecewise-linear
/// activations call their operator structs unchanged. Tanh, GELU, SELU and SiLU repeat the float formulas of
/// <see cref="TanhOperator"/>, <see cref="GeluOperator"/>, <see cref="SeluOperator"/> and <see cref="SiluOperator"/>
/// term for term, with <see cref="IlgpuMath"/> in place of <see cref="MathF"/>, because ILGPU's PTX backend cannot
/// compile <see cref="MathF.Exp"/> and approximates <see cref="MathF.Tanh"/> coarsely (see <see cref="IlgpuMath"/>).
/// The tests hold both to the double-precision reference.
/// </summary>
internal static class IlgpuActivations
{
    // The constants of GeluOperator and SeluOperator, rounded to float as those operators round them.
    private const float GeluC = (float)0.7978845608028654;
    private const float GeluK = (float)0.044715;
    private const float SeluLambda = (float)1.0507009873554804934193349852946;
    private const float SeluLambdaAlpha = (float)(1.0507009873554804934193349852946 * 1.6732632423543772848170429916717);

    /// <summary>φ(x) for the activation with the given <see cref="Activation"/> value (x itself for an unknown one).</summary>
    public static float Value(int activation, float x)
    {
        switch (activation)
        {
            case (int)Activation.Linear:
                return LinearOperator.Value(x);
            case (int)Activation.Tanh:
                return IlgpuMath.Tanh(x);
            case (int)Activation.HardTanh:
                return HardTanhOperator.Value(x);
            case (int)Activation.Relu:
                return ReluOperator.Value(x);
            case (int)Activation.LeakyRelu:
                return LeakyReluOperator.Value(x);
            case (int)Activation.Gelu:
                return 0.5f * x * (1f + IlgpuMath.Tanh(GeluC * (x + (GeluK * x * x * x))));
            case (int)Activation.Selu:
                return x > 0f ? SeluLambda * x : SeluLambdaAlpha * (IlgpuMath.Exp(x) - 1f);
            case (int)Activation.Silu:
                return x / (1f + IlgpuMath.Exp(-x));
            default:
                return x;
        }
    }

    /// <summary>φ′(x) for the activation with the given <see cref="Activation"/> value (1 for an unknown one).</summary>
    public static float Slope(int activation, float x)
    {
        switch (activation)
        {
            case (int)Activation.Linear:
                return LinearOperator.Slope(x);
            case (int)Activation.Tanh:
                {
                    float t = IlgpuMath.Tanh(x);
                    return 1f - (t * t);
                }

            case (int)Activation.HardTanh:
                return HardTanhOperator.Slope(x);
            case (int)Activation.Relu:
                return ReluOperator.Slope(x);
            case (int)Activation.LeakyRelu:
                return LeakyReluOperator.Slope(x);
            case (int)Activation.Gelu:
                {
                    float t = IlgpuMath.Tanh(GeluC * (x + (GeluK * x * x * x)));
                    return (0.5f * (1f + t)) + (0.5f * x * (1f - (t * t)) * GeluC * (1f + (3f * GeluK * x * x)));
                }

            case (int)Activation.Selu:
                return x > 0f ? SeluLambda : SeluLambdaAlpha * IlgpuMath.Exp(x);
            case (int)Activation.Silu:
                {
                    float s = 1f / (1f + IlgpuMath.Exp(-x));
                    return s * (1f + (x * (1f - s)));
                }

            default:
                return 1f;
        }
    }
}
