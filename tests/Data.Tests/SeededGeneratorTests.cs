using Pcn.Data;

namespace Pcn.Data.Tests;

/// <summary>
/// Golden values come from an independent Python implementation (python3, arbitrary-precision ints masked to 64 bits,
/// generators instead of a class), which itself reproduces the published xoshiro256** vector for state {1, 2, 3, 4}:
/// <code>
/// import math
/// M = (1 &lt;&lt; 64) - 1
/// def splitmix(x):
///     while True:
///         x = (x + 0x9E3779B97F4A7C15) &amp; M
///         z = ((x ^ (x &gt;&gt; 30)) * 0xBF58476D1CE4E5B9) &amp; M
///         z = ((z ^ (z &gt;&gt; 27)) * 0x94D049BB133111EB) &amp; M
///         yield z ^ (z &gt;&gt; 31)
/// def rotl(x, k): return ((x &lt;&lt; k) | (x &gt;&gt; (64 - k))) &amp; M
/// def core(s):
///     while True:
///         r = (rotl((s[1] * 5) &amp; M, 7) * 9) &amp; M
///         t = (s[1] &lt;&lt; 17) &amp; M
///         s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
///         yield r
/// def xoshiro(seed, stream):
///     b = splitmix(next(splitmix(seed)) ^ stream)
///     return core([next(b) for _ in range(4)])
/// def nextint(g, n):
///     thr = (1 &lt;&lt; 32) % n
///     while True:
///         m = (next(g) &gt;&gt; 32) * n
///         if (m &amp; 0xFFFFFFFF) &gt;= thr: return m &gt;&gt; 32
/// g = xoshiro(42, 0); print([hex(next(g)) for _ in range(5)])                    # NextUInt64
/// g = xoshiro(42, 0); print([repr((next(g) &gt;&gt; 11) / 2.0**53) for _ in range(3)]) # NextDouble
/// g = xoshiro(123, 1); print([nextint(g, 1500000000) for _ in range(12)])       # NextInt, 7 rejections
/// g = xoshiro(9, 3); u1 = 1.0 - (next(g) &gt;&gt; 11) / 2.0**53; u2 = (next(g) &gt;&gt; 11) / 2.0**53
/// r = math.sqrt(-2.0 * math.log(u1)); print(r * math.cos(2 * math.pi * u2), r * math.sin(2 * math.pi * u2))
/// </code>
/// The Fisher–Yates golden order in BatchIteratorTests comes from the same script.
/// </summary>
public sealed class SeededGeneratorTests
{
    private const int Draws = 100_000;

    /// <summary>Sampling tolerance for a mean of 100k unit-variance draws: about 3 standard errors (σ/√n ≈ 0.0032).</summary>
    private const double MeanTolerance = 0.01;

    /// <summary>Sampling tolerance for a variance of 100k normal draws: about 4.5 standard errors (√(2/n) ≈ 0.0045).</summary>
    private const double VarianceTolerance = 0.02;

    /// <summary>Python's and .NET's log, sin and cos may differ in the last place.</summary>
    private const double LibmTolerance = 1e-14;

    [Fact]
    public void Core_MatchesPublishedVector_ForStateOneTwoThreeFour()
    {
        // Blackman and Vigna's reference xoshiro256starstar.c from state {1, 2, 3, 4} (also rand_xoshiro's test).
        SeededGenerator generator = SeededGenerator.FromState(1, 2, 3, 4);
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
            607988272756665600, 16172922978634559625, 8476171486693032832,
            10595114339597558777, 2904607092377533576,
        ];

        Assert.Equal(expected, expected.Select(_ => generator.NextUInt64()));
    }

    [Fact]
    public void SplitMix64_MatchesPublishedVector_ForStateZero()
    {
        ulong state = 0;

        Assert.Equal(0xE220A8397B1DCDAFUL, SeededGenerator.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, SeededGenerator.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, SeededGenerator.SplitMix64(ref state));
    }

    [Fact]
    public void FromState_Rejects_AllZeroState()
    {
        Assert.Throws<ArgumentException>(() => SeededGenerator.FromState(0, 0, 0, 0));
    }

    [Theory]
    [InlineData(42UL, 0UL, new[] { 0x19e479e2aaa77bfbUL, 0x5e3efe753be27527UL, 0xc3ed7125b780200aUL, 0x85b911e2152f876eUL, 0x9f46d82ae7ea452eUL })]
    [InlineData(42UL, 7UL, new[] { 0x4150452ab869a892UL, 0x63980fc0383ce41bUL, 0x6276ee9c4552e56dUL })]
    [InlineData(0UL, 0UL, new[] { 0xfb5405f7bd79c540UL, 0x780c98e26cea5883UL, 0x2a146e0980febc66UL })]
    public void NextUInt64_MatchesIndependentImplementation(ulong seed, ulong stream, ulong[] expected)
    {
        var generator = new SeededGenerator(seed, stream);

        Assert.Equal(seed, generator.Seed);
        Assert.Equal(stream, generator.Stream);
        Assert.Equal(expected, expected.Select(_ => generator.NextUInt64()));
    }

    [Fact]
    public void Streams_OfOneSeed_DifferFromTheFirstDraw()
    {
        var first = new SeededGenerator(42, 0);
        var second = new SeededGenerator(42, 1);

        Assert.NotEqual(first.NextUInt64(), second.NextUInt64());
    }

    [Fact]
    public void NextDouble_MatchesIndependentImplementation()
    {
        var generator = new SeededGenerator(42, 0);

        Assert.Equal(0.10114251884320236, generator.NextDouble());
        Assert.Equal(0.3681487117972979, generator.NextDouble());
        Assert.Equal(0.7653418271142987, generator.NextDouble());
    }

    [Fact]
    public void NextDouble_StaysInUnitInterval_WithMeanNearOneHalf()
    {
        var generator = new SeededGenerator(7, 0);
        double sum = 0;
        for (int i = 0; i < Draws; i++)
        {
            double u = generator.NextDouble();
            Assert.InRange(u, 0.0, Math.BitDecrement(1.0));
            sum += u;
        }

        // Uniform variance is 1/12, so the standard error is ≈ 0.0009.
        Assert.Equal(0.5, sum / Draws, 0.004);
    }

    [Fact]
    public void NextUniform_StaysInItsInterval()
    {
        var generator = new SeededGenerator(8, 0);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(generator.NextUniform(-0.25, 0.75), -0.25, 0.75);
        }

        Assert.Equal(3.0, generator.NextUniform(3.0, 3.0));
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(0.0, double.PositiveInfinity)]
    public void NextUniform_Rejects_InvalidInterval(double lo, double hi)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeededGenerator(1, 0).NextUniform(lo, hi));
    }

    [Fact]
    public void NextInt_MatchesIndependentImplementation_IncludingRejections()
    {
        var generator = new SeededGenerator(123, 1);
        int[] expected =
        [
            868173545, 1257268702, 119852736, 1096088797, 101072144, 363020961,
            1485396994, 1239224402, 944320647, 569761717, 1387580571, 593626584,
        ];

        Assert.Equal(expected, expected.Select(_ => generator.NextInt(1_500_000_000)));
    }

    [Fact]
    public void NextInt_CoversItsRangeEvenly()
    {
        var generator = new SeededGenerator(5, 2);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++)
        {
            counts[generator.NextInt(6)]++;
        }

        // Each count is Binomial(60000, 1/6): standard deviation ≈ 91, so ±500 is over 5 of them.
        Assert.All(counts, count => Assert.InRange(count, 9_500, 10_500));
        Assert.Equal(0, generator.NextInt(1));
    }

    [Fact]
    public void NextInt_Rejects_NonPositiveBound()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeededGenerator(1, 0).NextInt(0));
    }

    [Fact]
    public void NextGaussian_MatchesIndependentBoxMuller_AndReturnsTheCachedSine()
    {
        var generator = new SeededGenerator(9, 3);

        Assert.Equal(-0.09515372996866864, generator.NextGaussian(), LibmTolerance);
        Assert.Equal(1.0898417923794272, generator.NextGaussian(), LibmTolerance);

        // The pair used two uniform draws; the next Gaussian starts from the third.
        var uniforms = new SeededGenerator(9, 3);
        uniforms.NextUInt64();
        uniforms.NextUInt64();
        var again = new SeededGenerator(9, 3);
        again.NextGaussian();
        again.NextGaussian();
        Assert.Equal(uniforms.NextUInt64(), again.NextUInt64());
    }

    [Fact]
    public void NextGaussian_HasZeroMeanAndUnitVariance()
    {
        var generator = new SeededGenerator(2024, 0);
        double sum = 0;
        double sumOfSquares = 0;
        for (int i = 0; i < Draws; i++)
        {
            double g = generator.NextGaussian();
            Assert.True(double.IsFinite(g));
            sum += g;
            sumOfSquares += g * g;
        }

        double mean = sum / Draws;
        double variance = (sumOfSquares / Draws) - (mean * mean);
        Assert.Equal(0.0, mean, MeanTolerance);
        Assert.Equal(1.0, variance, VarianceTolerance);
    }
}
