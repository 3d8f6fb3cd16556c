using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Tests.Support;
using Pcn.Tests.Shared;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// Every operation of each float32 backend against the double-precision reference, element-wise (see
/// <see cref="BackendChecks"/>), on random inputs and shapes that are not multiples of the SIMD width or the GEMM
/// tile. ILGPU's CPU accelerator is slow, so it gets the tiny shapes; the CPU backend also gets products large
/// enough to take the register-tiled, narrow-column and multi-core paths.
/// </summary>
public sealed class BackendConformanceTests
{
    /// <summary>(backend, B, N_in, N_out).</summary>
    public static TheoryData<string, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach ((int b, int nIn, int nOut) in new[] { (1, 1, 1), (3, 7, 5), (5, 17, 2), (4, 16, 33) })
        {
            data.Add("cpu", b, nIn, nOut);
            data.Add("ilgpu-cpu", b, nIn, nOut);
        }

        foreach ((int b, int nIn, int nOut) in new[] { (7, 130, 67), (64, 784, 129), (64, 128, 10), (9, 200, 300), (66, 512, 512) })
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
        using var h = new BackendHarness(backend, seed: batch + inputs + outputs);
        BackendChecks.CheckCopyAndTranspose(h, outputs, inputs);
        BackendChecks.CheckPredict(h, batch, inputs, outputs, withResidual: false, scale: 1.5);
        BackendChecks.CheckPredict(h, batch, inputs, outputs, withResidual: true, scale: 0.37);
        BackendChecks.CheckFeedback(h, batch, inputs, outputs, scale: -1.7);
        BackendChecks.CheckWeightGradient(h, batch, inputs, outputs, scale: -0.2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ElementWise_MatchesReference_ForEveryActivation(string backendName, int batch, int inputs, int outputs)
    {
        _ = inputs;
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var h = new BackendHarness(backend, seed: batch * outputs);
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            BackendChecks.CheckActivate(h, activation, batch, outputs);
            BackendChecks.CheckActivityStep(h, activation, withErrorAbove: true, batch, outputs);
            BackendChecks.CheckActivityStep(h, activation, withErrorAbove: false, batch, outputs);
            BackendChecks.CheckActivityStep(h, activation, withErrorAbove: true, batch, outputs, inPlace: false);
            BackendChecks.CheckBackpropagate(h, activation, withErrorAbove: true, batch, outputs);
            BackendChecks.CheckBackpropagate(h, activation, withErrorAbove: false, batch, outputs);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ErrorsSumsAndAdam_MatchReference(string backendName, int batch, int inputs, int outputs)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var h = new BackendHarness(backend, seed: 17 + batch + inputs);
        BackendChecks.CheckPredictionError(h, batch, outputs);
        BackendChecks.CheckOutputError(h, LossKind.Mse, batch, outputs);
        BackendChecks.CheckOutputError(h, LossKind.CrossEntropy, batch, outputs);
        BackendChecks.CheckSumOfSquares(h, outputs, inputs);
        BackendChecks.CheckAdam(h, outputs, inputs, steps: 3);
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void ActivationsAndSlopes_MatchReference_AtEdgeValues(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var h = new BackendHarness(backend, seed: 5);
        double[] edges = [-100, -50, -20, -9.5, -1, -0.5493, -1e-3, -1e-30, 0, 1e-30, 1e-3, 0.5493, 1, 9.5, 20, 50, 100];
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            using Twin z = h.From(1, edges.Length, edges);
            using Twin u = h.Zeros(1, edges.Length);
            using Twin fb = h.From(1, edges.Length, Enumerable.Repeat(1.0, edges.Length).ToArray());
            using Twin e = h.Zeros(1, edges.Length);

            h.Both((b, t) => b.Activate(activation, t(z), t(u)));
            h.Both((b, t) => b.Backpropagate(activation, t(z), t(fb), null, t(e)));

            h.AssertClose(u, $"φ {activation} at edge values");
            h.AssertClose(e, $"φ′ {activation} at edge values");
        }
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void CrossEntropy_IsStable_ForLargeLogits(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var h = new BackendHarness(backend, seed: 9);
        using Twin y = h.From(2, 3, [0, 1, 0, 0.25, 0.25, 0.5]);
        using Twin logits = h.From(2, 3, [1000, 990, -1000, -500, -480, -490]);
        using Twin d = h.Zeros(2, 3);

        // float32 cannot resolve log-softmax finer than the spacing of floats near |ŷ| = 1000.
        double spacing = MathF.BitIncrement(1000f) - 1000f;

        (double expected, double actual) = h.Both((b, t) => b.OutputError(LossKind.CrossEntropy, t(y), t(logits), t(d)));

        Assert.True(double.IsFinite(actual), $"energy {actual}");
        BackendHarness.AssertScalarClose(expected, actual, "CE energy with large logits", 4 * spacing);
        h.AssertClose(d, "CE error with large logits", absolute: 2 * spacing);
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void MismatchedShapes_AreRefused_NamingBothShapes(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using Tensor input = backend.Allocate(3, 7), wrongWeights = backend.Allocate(5, 2), prediction = backend.Allocate(3, 2);
        using Tensor other = backend.Allocate(3, 6), error = backend.Allocate(3, 7);

        var predict = Assert.Throws<ArgumentException>(() => backend.Predict(1.0, input, wrongWeights, null, prediction));
        var energy = Assert.Throws<ArgumentException>(() => backend.PredictionError(input, other, error));
        var step = Assert.Throws<ArgumentException>(() => backend.ActivityStep(Activation.Relu, 0.1, input, error, error, other, input));

        Assert.Contains("5×2", predict.Message);
        Assert.Contains("7×2", predict.Message);
        Assert.Contains("3×7", energy.Message);
        Assert.Contains("3×6", energy.Message);
        Assert.Contains("3×6", step.Message);
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void TensorOfAnotherBackend_IsRejected(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using IPcBackend reference = BackendFactory.Create("reference");
        using Tensor foreign = reference.Allocate(2, 2), own = backend.Allocate(2, 2);

        var sum = Assert.Throws<ArgumentException>(() => backend.SumOfSquares(foreign));
        Assert.Throws<ArgumentException>(() => backend.Copy(own, foreign));
        Assert.Throws<ArgumentException>(() => backend.Upload(new float[4], foreign));
        Assert.Throws<ArgumentException>(() => backend.Activate(Activation.Relu, foreign, own));

        Assert.Contains("ReferenceTensor", sum.Message);
    }
}
