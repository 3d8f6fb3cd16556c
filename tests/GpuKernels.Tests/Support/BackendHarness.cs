using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Reference;

namespace Pcn.GpuKernels.Tests.Support;

/// <summary>Runs each operation on the reference and on a tested backend, and compares what they leave behind.</summary>
public sealed class BackendHarness(IPcBackend tested, int seed) : IDisposable
{
    /// <summary>float32 against double, per element: a few ulp of the result.</summary>
    public const double Float32Relative = 1e-5;

    /// <summary>float32 against double, per element, near zero; sums over k terms allow k times this.</summary>
    public const double Float32Absolute = 1e-6;

    private readonly ReferenceBackend _reference = new();
    private readonly Random _random = new(seed);

    public double Next(double low, double high) => (float)(low + ((high - low) * _random.NextDouble()));

    /// <summary>Values drawn uniformly from [low, high) and rounded to float, so both backends start equal.</summary>
    public Twin Random(int rows, int columns, double low = -1, double high = 1)
    {
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Next(low, high);
        }

        return From(rows, columns, values);
    }

    public Twin Zeros(int rows, int columns) => new(_reference.Allocate(rows, columns), tested.Allocate(rows, columns));

    public Twin From(int rows, int columns, double[] values)
    {
        Twin twin = Zeros(rows, columns);
        double[] rounded = values.Select(v => (double)(float)v).ToArray();
        _reference.Upload(rounded, twin.Expected);
        tested.Upload(rounded, twin.Actual);
        return twin;
    }

    public void Both(Action<IPcBackend, Func<Twin, Tensor>> operation)
    {
        operation(_reference, t => t.Expected);
        operation(tested, t => t.Actual);
    }

    public (double Expected, double Actual) Both(Func<IPcBackend, Func<Twin, Tensor>, double> operation) =>
        (operation(_reference, t => t.Expected), operation(tested, t => t.Actual));

    public void AssertClose(Twin twin, string label, double absolute = BackendHarness.Float32Absolute, double relative = BackendHarness.Float32Relative)
    {
        double[] expected = new double[twin.Expected.Length];
        double[] actual = new double[twin.Actual.Length];
        _reference.Download(twin.Expected, expected);
        tested.Download(twin.Actual, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = absolute + (relative * Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance) && !(double.IsNaN(expected[i]) && double.IsNaN(actual[i])))
            {
                Assert.Fail($"{tested.Name}: {label}: element {i} (row {i / twin.Expected.Columns}, column {i % twin.Expected.Columns}) is {actual[i]:R} but the reference gives {expected[i]:R} (tolerance {tolerance:E2}).");
            }
        }
    }

    public static void AssertScalarClose(double expected, double actual, string label, double absolute, double relative = BackendHarness.Float32Relative)
    {
        double tolerance = absolute + (relative * Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{label}: {actual:R} but the reference gives {expected:R} (tolerance {tolerance:E2}).");
    }

    public void Dispose() => _reference.Dispose();
}
