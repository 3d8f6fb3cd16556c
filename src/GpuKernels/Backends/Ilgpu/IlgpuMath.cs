using ILGPU;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// exp, log and tanh in float32 from additions, multiplications and bit casts only (Cephes' expf, logf and tanhf
/// polynomials), so that every ILGPU backend compiles them to the same accurate code. Without the CUDA SDK's
/// LibDevice, ILGPU's PTX backend cannot compile <see cref="MathF.Exp"/> or <see cref="MathF.Log(float)"/> at all,
/// and it lowers <see cref="MathF.Tanh"/> to <c>tanh.approx.f32</c> (relative error about 2⁻¹¹). These stay within
/// 3 ulp of the correctly rounded result.
/// </summary>
internal static class IlgpuMath
{
    private const float Log2E = 1.44269504088896341f;

    // ln 2 split so that n·Ln2High is exact for the n that occur.
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    private const float MaxExpArgument = 88.72283f;
    private const float MinExpArgument = -103.972084f;
    private const float SmallestNormal = 1.17549435e-38f;

    /// <summary>Above this |x|, tanh x rounds to ±1 in float32 (and e^{2x} would overflow).</summary>
    private const float TanhSaturation = 44f;

    /// <summary>½·ln 3: below it the odd polynomial is accurate, above it 1 − 2/(e^{2|x|} + 1) is.</summary>
    private const float TanhPolynomialLimit = 0.54930614f;

    /// <summary>Computes <c>eˣ</c>.</summary>
    public static float Exp(float x)
    {
        if (float.IsNaN(x))
        {
            return x;
        }

        if (x > MaxExpArgument)
        {
            return float.PositiveInfinity;
        }

        if (x < MinExpArgument)
        {
            return 0f;
        }

        // x = n·ln 2 + r with |r| ≤ ½ln 2, then eˣ = 2ⁿ·eʳ.
        float n = MathF.Floor((x * Log2E) + 0.5f);
        float r = x - (n * Ln2High);
        r -= n * Ln2Low;
        float p = 1.9875691500E-4f;
        p = (p * r) + 1.3981999507E-3f;
        p = (p * r) + 8.3334519073E-3f;
        p = (p * r) + 4.1665795894E-2f;
        p = (p * r) + 1.6666665459E-1f;
        p = (p * r) + 5.0000001201E-1f;
        float er = (p * r * r) + r + 1f;

        // 2ⁿ in two halves, so that n from −150 to 128 never leaves the normal exponent range.
        int exponent = (int)n;
        int half = exponent / 2;
        return er * PowerOfTwo(half) * PowerOfTwo(exponent - half);
    }

    /// <summary>Computes <c>ln x</c> (−∞ at 0, NaN below 0).</summary>
    public static float Log(float x)
    {
        if (float.IsNaN(x) || x == float.PositiveInfinity)
        {
            return x;
        }

        if (x <= 0f)
        {
            return x == 0f ? float.NegativeInfinity : float.NaN;
        }

        int exponent = 0;
        if (x < SmallestNormal)
        {
            x *= 8388608f;
            exponent = -23;
        }

        // x = m·2ᵉ with m in [√½, √2), then ln x = ln m + e·ln 2.
        uint bits = Interop.FloatAsInt(x);
        exponent += (int)((bits >> 23) & 0xFFu) - 126;
        float m = Interop.IntAsFloat((bits & 0x007FFFFFu) | 0x3F000000u);
        if (m < 0.707106781186547524f)
        {
            exponent -= 1;
            m = m + m - 1f;
        }
        else
        {
            m -= 1f;
        }

        float z = m * m;
        float y = 7.0376836292E-2f;
        y = (y * m) - 1.1514610310E-1f;
        y = (y * m) + 1.1676998740E-1f;
        y = (y * m) - 1.2420140846E-1f;
        y = (y * m) + 1.4249322787E-1f;
        y = (y * m) - 1.6668057665E-1f;
        y = (y * m) + 2.0000714765E-1f;
        y = (y * m) - 2.4999993993E-1f;
        y = (y * m) + 3.3333331174E-1f;
        y *= m * z;
        float e = exponent;
        y += Ln2Low * e;
        y -= 0.5f * z;
        return m + y + (Ln2High * e);
    }

    /// <summary>Computes <c>tanh x</c>.</summary>
    public static float Tanh(float x)
    {
        float z = MathF.Abs(x);
        if (z > TanhPolynomialLimit)
        {
            if (z > TanhSaturation)
            {
                return x < 0f ? -1f : 1f;
            }

            float t = 1f - (2f / (Exp(2f * z) + 1f));
            return x < 0f ? -t : t;
        }

        float s = x * x;
        float p = -5.70498872745E-3f;
        p = (p * s) + 2.06390887954E-2f;
        p = (p * s) - 5.37397155531E-2f;
        p = (p * s) + 1.33314422036E-1f;
        p = (p * s) - 3.33332819422E-1f;
        return (p * s * x) + x;
    }

    /// <summary>2ᵏ for k in [−126, 127], built from its exponent bits.</summary>
    private static float PowerOfTwo(int k) => Interop.IntAsFloat((uint)(k + 127) << 23);
}
