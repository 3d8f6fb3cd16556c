namespace Pcn.Network.Tests.Support;

/// <summary>Element-wise comparison with a named tolerance: |actual − expected| ≤ abs + rel·|expected|.</summary>
public static class AssertNear
{
    public static void Equal(double expected, double actual, double absolute, double relative = 0, string what = "value")
    {
        double bound = absolute + (relative * Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= bound, $"{what}: expected {expected:R}, got {actual:R} (|Δ| = {Math.Abs(actual - expected):E3} > {bound:E3})");
    }

    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double absolute, double relative = 0, string what = "values")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Equal(expected[i], actual[i], absolute, relative, $"{what}[{i}]");
        }
    }
}
