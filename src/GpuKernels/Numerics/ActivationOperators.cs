using Pcn.Abstractions.Options;

namespace Pcn.GpuKernels.Numerics;

/// <summary>
/// An activation φ and its slope φ′ as static members, so the reference (double), the CPU backend's scalar tails
/// and the ILGPU kernels (float) share one definition of each function.
/// </summary>
internal interface IActivationOperator
{
    /// <summary>φ(x).</summary>
    static abstract double Value(double x);

    /// <summary>φ′(x).</summary>
    static abstract double Slope(double x);

    /// <summary>φ(x) in float32.</summary>
    static abstract float Value(float x);

    /// <summary>φ′(x) in float32.</summary>
    static abstract float Slope(float x);
}

/// <summary>φ(x) = x.</summary>
internal readonly struct LinearOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static double Value(double x) => x;

    /// <inheritdoc/>
    public static double Slope(double x) => 1.0;

    /// <inheritdoc/>
    public static float Value(float x) => x;

    /// <inheritdoc/>
    public static float Slope(float x) => 1f;
}

/// <summary>φ(x) = tanh x, φ′ = 1 − tanh² x.</summary>
internal readonly struct TanhOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static double Value(double x) => Math.Tanh(x);

    /// <inheritdoc/>
    public static double Slope(double x)
    {
        double t = Math.Tanh(x);
        return 1.0 - (t * t);
    }

    /// <inheritdoc/>
    public static float Value(float x) => MathF.Tanh(x);

    /// <inheritdoc/>
    public static float Slope(float x)
    {
        float t = MathF.Tanh(x);
        return 1f - (t * t);
    }
}

/// <summary>φ(x) = clip(x, −1, 1); φ′ = 1 on (−1, 1), else 0.</summary>
internal readonly struct HardTanhOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static double Value(double x) => x < -1.0 ? -1.0 : (x > 1.0 ? 1.0 : x);

    /// <inheritdoc/>
    public static double Slope(double x) => x > -1.0 && x < 1.0 ? 1.0 : 0.0;

    /// <inheritdoc/>
    public static float Value(float x) => x < -1f ? -1f : (x > 1f ? 1f : x);

    /// <inheritdoc/>
    public static float Slope(float x) => x > -1f && x < 1f ? 1f : 0f;
}

/// <summary>φ(x) = max(x, 0); φ′(0) = 0 as in jax.nn.relu.</summary>
internal readonly struct ReluOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static double Value(double x) => x > 0.0 ? x : 0.0;

    /// <inheritdoc/>
    public static double Slope(double x) => x > 0.0 ? 1.0 : 0.0;

    /// <inheritdoc/>
    public static float Value(float x) => x > 0f ? x : 0f;

    /// <inheritdoc/>
    public static float Slope(float x) => x > 0f ? 1f : 0f;
}

/// <summary>φ(x) = x for x ≥ 0, else 0.01·x (jax.nn.leaky_relu's default slope).</summary>
internal readonly struct LeakyReluOperator : IActivationOperator
{
    /// <summary>The slope for negative inputs.</summary>
    public const float NegativeSlope = 0.01f;

    /// <inheritdoc/>
    public static double Value(double x) => x >= 0.0 ? x : NegativeSlope * x;

    /// <inheritdoc/>
    public static double Slope(double x) => x >= 0.0 ? 1.0 : NegativeSlope;

    /// <inheritdoc/>
    public static float Value(float x) => x >= 0f ? x : NegativeSlope * x;

    /// <inheritdoc/>
    public static float Slope(float x) => x >= 0f ? 1f : NegativeSlope;
}

/// <summary>GELU, tanh approximation (jax.nn.gelu default): φ(x) = ½x(1 + tanh(c(x + 0.044715x³))), c = √(2/π).</summary>
internal readonly struct GeluOperator : IActivationOperator
{
    private const double C = 0.7978845608028654;
    private const double K = 0.044715;

    /// <inheritdoc/>
    public static double Value(double x) => 0.5 * x * (1.0 + Math.Tanh(C * (x + (K * x * x * x))));

    /// <inheritdoc/>
    public static double Slope(double x)
    {
        double t = Math.Tanh(C * (x + (K * x * x * x)));
        return (0.5 * (1.0 + t)) + (0.5 * x * (1.0 - (t * t)) * C * (1.0 + (3.0 * K * x * x)));
    }

    /// <inheritdoc/>
    public static float Value(float x) => 0.5f * x * (1f + MathF.Tanh((float)C * (x + ((float)K * x * x * x))));

    /// <inheritdoc/>
    public static float Slope(float x)
    {
        float t = MathF.Tanh((float)C * (x + ((float)K * x * x * x)));
        return (0.5f * (1f + t)) + (0.5f * x * (1f - (t * t)) * (float)C * (1f + (3f * (float)K * x * x)));
    }
}

/// <summary>SELU: λx for x &gt; 0, λα(eˣ − 1) otherwise.</summary>
internal readonly struct SeluOperator : IActivationOperator
{
    private const double Alpha = 1.6732632423543772848170429916717;
    private const double Lambda = 1.0507009873554804934193349852946;

    /// <inheritdoc/>
    public static double Value(double x) => x > 0.0 ? Lambda * x : Lambda * Alpha * (Math.Exp(x) - 1.0);

    /// <inheritdoc/>
    public static double Slope(double x) => x > 0.0 ? Lambda : Lambda * Alpha * Math.Exp(x);

    /// <inheritdoc/>
    public static float Value(float x) => x > 0f ? (float)Lambda * x : (float)(Lambda * Alpha) * (MathF.Exp(x) - 1f);

    /// <inheritdoc/>
    public static float Slope(float x) => x > 0f ? (float)Lambda : (float)(Lambda * Alpha) * MathF.Exp(x);
}

/// <summary>SiLU: φ(x) = x·σ(x), φ′ = σ(x)(1 + x(1 − σ(x))).</summary>
internal readonly struct SiluOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static double Value(double x) => x / (1.0 + Math.Exp(-x));

    /// <inheritdoc/>
    public static double Slope(double x)
    {
        double s = 1.0 / (1.0 + Math.Exp(-x));
        return s * (1.0 + (x * (1.0 - s)));
    }

    /// <inheritdoc/>
    public static float Value(float x) => x / (1f + MathF.Exp(-x));

    /// <inheritdoc/>
    public static float Slope(float x)
    {
        float s = 1f / (1f + MathF.Exp(-x));
        return s * (1f + (x * (1f - s)));
    }
}

/// <summary>Dispatch from the <see cref="Activation"/> option to the operators, one call per element.</summary>
public static class ActivationFunctions
{
    /// <summary>φ(x) in double precision.</summary>
    public static double Value(Activation activation, double x) => activation switch
    {
        Activation.Linear => LinearOperator.Value(x),
        Activation.Tanh => TanhOperator.Value(x),
        Activation.HardTanh => HardTanhOperator.Value(x),
        Activation.Relu => ReluOperator.Value(x),
        Activation.LeakyRelu => LeakyReluOperator.Value(x),
        Activation.Gelu => GeluOperator.Value(x),
        Activation.Selu => SeluOperator.Value(x),
        Activation.Silu => SiluOperator.Value(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>φ′(x) in double precision.</summary>
    public static double Slope(Activation activation, double x) => activation switch
    {
        Activation.Linear => LinearOperator.Slope(x),
        Activation.Tanh => TanhOperator.Slope(x),
        Activation.HardTanh => HardTanhOperator.Slope(x),
        Activation.Relu => ReluOperator.Slope(x),
        Activation.LeakyRelu => LeakyReluOperator.Slope(x),
        Activation.Gelu => GeluOperator.Slope(x),
        Activation.Selu => SeluOperator.Slope(x),
        Activation.Silu => SiluOperator.Slope(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
