using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Tests.Support;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// Every operation of each float32 backend against the double-precision reference, element-wise, on random inputs and
/// shapes that are not multiples of the SIMD width (and, for the CPU backend, products large enough to take the
/// tiled and multi-core paths). Tolerance: |Δ| ≤ 1e-5 + 1e-5·|expected|, scaled by √K for products over K terms.
/// </summary>
public sealed class BackendConformanceTests
{
    private const double Absolute = 1e-5;
    private const double Relative = 1e-5;

    /// <summary>(backend, B, N_in, N_out): tiny for ILGPU's slow CPU accelerator.</summary>
    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach ((int b, int nIn, int nOut) in new[] { (1, 1, 1), (3, 7, 5), (5, 17, 33), (4, 16, 64) })
        {
            data.Add("cpu", b, nIn, nOut);
            data.Add("ilgpu-cpu", b, nIn, nOut);
        }

        foreach ((int b, int nIn, int nOut) in new[] { (7, 130, 67), (64, 784, 129), (64, 128, 128), (9, 200, 300) })
        {
            data.Add("cpu", b, nIn, nOut);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_MatchReference(string backendName, int batch, int inputs, int outputs)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var pair = new BackendPair(backend, seed: (batch * 1000) + inputs + outputs);
        var u = pair.Random(batch, inputs);
        var w = pair.Random(outputs, inputs);
        var wt = pair.Zeros(inputs, outputs);
        var skip = pair.Random(batch, outputs);
        var d = pair.Random(batch, outputs);

        pair.Run((b, t) => b.Transpose(t(w), t(wt)));
        pair.AssertEqual(wt, 0, "Wᵀ");

        var mu = pair.Zeros(batch, outputs);
        pair.Run((b, t) => b.Predict(0.37, t(u), t(wt), t(skip), t(mu)));
        pair.AssertEqual(mu, Math.Sqrt(inputs), "μ with skip");
        pair.Run((b, t) => b.Predict(1.5, t(u), t(wt), null, t(mu)));
        pair.AssertEqual(mu, Math.Sqrt(inputs), "μ");

        var fb = pair.Zeros(batch, inputs);
        pair.Run((b, t) => b.Feedback(0.21, t(d), t(w), t(fb)));
        pair.AssertEqual(fb, Math.Sqrt(outputs), "fb");

        var g = pair.Zeros(outputs, inputs);
        pair.Run((b, t) => b.WeightGradient(-0.3, t(d), t(u), t(g)));
        pair.AssertEqual(g, Math.Sqrt(batch), "G");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ElementWise_MatchesReference_ForEveryActivation(string backendName, int batch, int inputs, int outputs)
    {
        _ = inputs;
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var pair = new BackendPair(backend, seed: batch + outputs);
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            var z = pair.Random(batch, outputs, scale: 2.0);
            var u = pair.Zeros(batch, outputs);
            pair.Run((b, t) => b.Activate(activation, t(z), t(u)));
            pair.AssertEqual(u, 1, $"φ = {activation}");

            var eps = pair.Random(batch, outputs);
            var fb = pair.Random(batch, outputs);
            var above = pair.Random(batch, outputs);
            pair.Run((b, t) => b.ActivityStep(activation, 0.3, t(z), t(eps), t(fb), t(above)));
            pair.AssertEqual(z, 1, $"activity step, {activation}, skip");
            pair.Run((b, t) => b.ActivityStep(activation, 0.7, t(z), t(eps), t(fb), null));
            pair.AssertEqual(z, 1, $"activity step, {activation}");

            var e = pair.Zeros(batch, outputs);
            pair.Run((b, t) => b.Backpropagate(activation, t(z), t(fb), t(above), t(e)));
            pair.AssertEqual(e, 1, $"backprop, {activation}, skip");
            pair.Run((b, t) => b.Backpropagate(activation, t(z), t(fb), null, t(e)));
            pair.AssertEqual(e, 1, $"backprop, {activation}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ErrorsAndAdam_MatchReference(string backendName, int batch, int inputs, int outputs)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var pair = new BackendPair(backend, seed: 17 + batch + inputs);
        var z = pair.Random(batch, outputs);
        var mu = pair.Random(batch, outputs);
        var eps = pair.Zeros(batch, outputs);
        pair.RunScalar((b, t) => b.PredictionError(t(z), t(mu), t(eps)), Math.Sqrt(eps.Expected.Length), "½‖ε‖²");
        pair.AssertEqual(eps, 1, "ε");

        foreach (LossKind loss in Enum.GetValues<LossKind>())
        {
            var y = pair.OneHot(batch, outputs);
            var d = pair.Zeros(batch, outputs);
            pair.RunScalar((b, t) => b.OutputError(loss, t(y), t(mu), t(d)), Math.Sqrt(d.Expected.Length), $"E_L ({loss})");
            pair.AssertEqual(d, 1, $"d_L ({loss})");
        }

        pair.RunScalar((b, t) => b.SumOfSquares(t(z)), Math.Sqrt(z.Expected.Length), "Σz²");

        var w = pair.Random(outputs, inputs);
        var m = pair.Zeros(outputs, inputs);
        var v = pair.Zeros(outputs, inputs);
        for (int step = 1; step <= 3; step++)
        {
            var g = pair.Random(outputs, inputs, scale: 0.01);
            var p = new AdamStepParameters(0.05, 0.9, 0.999, 1e-8, step);
            pair.Run((b, t) => b.AdamStep(p, t(w), t(g), t(m), t(v)));
        }

        pair.AssertEqual(m, 1, "Adam m");
        pair.AssertEqual(v, 1, "Adam v");
        pair.AssertEqual(w, 10, "W after Adam");
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void MismatchedShapes_AreRefused_NamingBothShapes(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using Tensor z = backend.Allocate(2, 3), mu = backend.Allocate(2, 4), eps = backend.Allocate(2, 3);
        var error = Assert.Throws<ArgumentException>(() => backend.PredictionError(z, mu, eps));
        Assert.Contains("2×3", error.Message);
        Assert.Contains("2×4", error.Message);

        using Tensor foreign = BackendFactory.Create("reference").Allocate(2, 3);
        var ownership = Assert.Throws<ArgumentException>(() => backend.Copy(foreign, z));
        Assert.Contains("another backend", ownership.Message);
    }

    /// <summary>The same tensors on the backend under test and on the reference, with the reference's values as expectation.</summary>
    private sealed class BackendPair(IPcBackend backend, int seed) : IDisposable
    {
        private readonly IPcBackend _reference = BackendFactory.Create("reference");
        private readonly Random _random = new(seed);
        private readonly List<Pair> _pairs = [];

        public Pair Random(int rows, int columns, double scale = 1.0)
        {
            double[] values = Enumerable.Range(0, rows * columns).Select(_ => scale * ((2 * _random.NextDouble()) - 1)).Select(v => (double)(float)v).ToArray();
            return Add(rows, columns, values);
        }

        public Pair Zeros(int rows, int columns) => Add(rows, columns, new double[rows * columns]);

        public Pair OneHot(int rows, int classes)
        {
            double[] values = new double[rows * classes];
            for (int i = 0; i < rows; i++)
            {
                values[(i * classes) + _random.Next(classes)] = 1.0;
            }

            return Add(rows, classes, values);
        }

        public void Run(Action<IPcBackend, Func<Pair, Tensor>> operation)
        {
            operation(_reference, p => p.ReferenceTensor);
            operation(backend, p => p.Tested);
        }

        public void RunScalar(Func<IPcBackend, Func<Pair, Tensor>, double> operation, double scale, string what)
        {
            double expected = operation(_reference, p => p.ReferenceTensor);
            double actual = operation(backend, p => p.Tested);
            AssertNear.Equal(expected, actual, Absolute * scale, Relative * scale, what);
        }

        public void AssertEqual(Pair pair, double scale, string what)
        {
            _reference.Download(pair.ReferenceTensor, pair.Expected);
            double[] actual = new double[pair.Expected.Length];
            backend.Download(pair.Tested, actual);
            AssertNear.All(pair.Expected, actual, Absolute * Math.Max(scale, 1), Relative * Math.Max(scale, 1), $"{backend.Name}: {what}");
        }

        public void Dispose()
        {
            foreach (Pair p in _pairs)
            {
                p.ReferenceTensor.Dispose();
                p.Tested.Dispose();
            }

            _reference.Dispose();
        }

        private Pair Add(int rows, int columns, double[] values)
        {
            var pair = new Pair(_reference.Allocate(rows, columns), backend.Allocate(rows, columns), values.ToArray());
            _reference.Upload(values, pair.ReferenceTensor);
            backend.Upload(values, pair.Tested);
            _pairs.Add(pair);
            return pair;
        }
    }

    private sealed record Pair(Tensor ReferenceTensor, Tensor Tested, double[] Expected);
}
