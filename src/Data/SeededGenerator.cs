namespace Pcn.Data;

/// <summary>
/// A deterministic pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018) seeded through SplitMix64 from a
/// (seed, stream) pair. The same pair gives the same sequence on every platform and run; it drives the data shuffle and
/// weight initialisation, so any change to the algorithm below changes every experiment and must be deliberate.
/// </summary>
/// <remarks>
/// <para>All arithmetic is on unsigned 64-bit integers modulo 2⁶⁴; <c>rotl(x, k) = (x &lt;&lt; k) | (x &gt;&gt; (64 − k))</c>.</para>
/// <para><b>SplitMix64</b> with state <c>x</c>, one output:
/// <c>x ← x + 0x9E3779B97F4A7C15; z ← x; z ← (z ^ (z &gt;&gt; 30)) · 0xBF58476D1CE4E5B9;
/// z ← (z ^ (z &gt;&gt; 27)) · 0x94D049BB133111EB; return z ^ (z &gt;&gt; 31)</c>.</para>
/// <para><b>Seeding</b>: <c>k</c> = the first output of a SplitMix64 with state <c>seed</c>; then a SplitMix64 with
/// state <c>k ^ stream</c> gives <c>s0, s1, s2, s3</c> (its first four outputs, in that order). SplitMix64's output is a
/// bijection of its state, so two streams of one seed, or one stream of two seeds, always get different states, and the
/// four words are distinct, so the state is never all zero. Every word depends on both seed and stream: the first
/// xoshiro256** output depends on <c>s1</c> alone, so seeding some words from the seed only would make streams of one
/// seed share their first draw.</para>
/// <para><b>xoshiro256**</b>, one output (<see cref="NextUInt64"/>): <c>result ← rotl(s1 · 5, 7) · 9;
/// t ← s1 &lt;&lt; 17; s2 ← s2 ^ s0; s3 ← s3 ^ s1; s1 ← s1 ^ s2; s0 ← s0 ^ s3; s2 ← s2 ^ t;
/// s3 ← rotl(s3, 45); return result</c>.</para>
/// <para>Derived draws are documented on each method. The generator is not thread-safe.</para>
/// </remarks>
public sealed class SeededGenerator
{
    private const double TwoToMinus53 = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private bool _hasSpareGaussian;
    private double _spareGaussian;

    /// <summary>Creates the generator for (<paramref name="seed"/>, <paramref name="stream"/>) as described on the type.</summary>
    public SeededGenerator(ulong seed, ulong stream)
    {
        Seed = seed;
        Stream = stream;
        ulong a = seed;
        ulong state = SplitMix64(ref a) ^ stream;
        _s0 = SplitMix64(ref state);
        _s1 = SplitMix64(ref state);
        _s2 = SplitMix64(ref state);
        _s3 = SplitMix64(ref state);
    }

    private SeededGenerator(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        _s3 = s3;
    }

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    /// <summary>The stream this generator was created with.</summary>
    public ulong Stream { get; }

    /// <summary>
    /// A generator with the raw xoshiro256** state (s0, s1, s2, s3), not all zero; for checking the core against
    /// published test vectors. <see cref="Seed"/> and <see cref="Stream"/> are 0.
    /// </summary>
    internal static SeededGenerator FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("The xoshiro256** state must not be all zero.", nameof(s0));
        }

        return new SeededGenerator(s0, s1, s2, s3);
    }

    /// <summary>One SplitMix64 output; advances <paramref name="state"/> by 0x9E3779B97F4A7C15.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next xoshiro256** output, uniform over all 2⁶⁴ values.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1): computes <c>(NextUInt64() &gt;&gt; 11) · 2⁻⁵³</c>, one output per call.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * TwoToMinus53;

    /// <summary>
    /// Uniform on [<paramref name="lo"/>, <paramref name="hi"/>): computes <c>lo + (hi − lo) · NextDouble()</c>
    /// (rounding can give <c>hi</c> itself when the interval is many orders of magnitude wider than its ends' spacing).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An end is not finite, or <paramref name="hi"/> &lt; <paramref name="lo"/>.</exception>
    public double NextUniform(double lo, double hi)
    {
        if (!double.IsFinite(lo) || !double.IsFinite(hi) || hi < lo)
        {
            throw new ArgumentOutOfRangeException(nameof(hi), $"NextUniform needs finite lo ≤ hi; got lo = {lo}, hi = {hi}.");
        }

        return lo + ((hi - lo) * NextDouble());
    }

    /// <summary>
    /// Standard normal by the Box–Muller transform in double: <c>u1 = 1 − NextDouble()</c> (in (0, 1], so the
    /// logarithm is finite), <c>u2 = NextDouble()</c>, <c>r = √(−2 ln u1)</c>, <c>θ = 2π u2</c>; returns
    /// <c>r cos θ</c> and caches <c>r sin θ</c>, which the next call returns without drawing.
    /// </summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }

        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareGaussian = r * Math.Sin(theta);
        _hasSpareGaussian = true;
        return r * Math.Cos(theta);
    }

    /// <summary>
    /// Uniform on {0, …, n − 1} without bias, by Lemire's multiply-and-reject on 32-bit draws: <c>x = NextUInt64() &gt;&gt; 32</c>,
    /// <c>m = x · n</c> (64-bit); while <c>(m mod 2³²) &lt; (2³² mod n)</c> draw again; return <c>m &gt;&gt; 32</c>.
    /// The threshold <c>2³² mod n</c> is computed only when <c>(m mod 2³²) &lt; n</c>, which gives the same result.
    /// </summary>
    /// <param name="exclusiveMax">n ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> &lt; 1.</exception>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        uint range = (uint)exclusiveMax;
        ulong m = (NextUInt64() >> 32) * range;
        uint low = (uint)m;
        if (low < range)
        {
            uint threshold = (0u - range) % range;
            while (low < threshold)
            {
                m = (NextUInt64() >> 32) * range;
                low = (uint)m;
            }
        }

        return (int)(m >> 32);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
