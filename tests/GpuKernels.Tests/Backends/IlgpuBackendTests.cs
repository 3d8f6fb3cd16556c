using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.GpuKernels.Backends.Reference;
using Pcn.GpuKernels.Numerics;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// The ILGPU backend against the double-precision reference, element by element, on ILGPU's CPU accelerator with
/// tiny shapes (none a multiple of the tile), plus a CUDA run on a moderate shape where a device exists.
/// </summary>
public sealed class IlgpuBackendTests(IlgpuCpuBackendFixture fixture) : IClassFixture<IlgpuCpuBackendFixture>
{
    /// <summary>float32 against double, per element: a few ulp of the result.</summary>
    private const double Float32Relative = 1e-5;

    /// <summary>float32 against double, per element, near zero; sums over k terms allow k times this.</summary>
    private const double Float32Absolute = 1e-6;

    /// <summary>The software exp, log and tanh against System.Math: 3 ulp.</summary>
    private const double DeviceMathRelative = 2e-7;

    private static readonly int[] Batches = [1, 3, 5];
    private static readonly int[] Dimensions = [1, 2, 7, 17];

    private readonly IlgpuBackend _ilgpu = fixture.Backend;

    public static TheoryData<Activation> Activations => [.. Enum.GetValues<Activation>()];

    public static TheoryData<Activation, bool> ActivationsWithAndWithoutErrorAbove
    {
        get
        {
            var data = new TheoryData<Activation, bool>();
            foreach (Activation activation in Enum.GetValues<Activation>())
            {
                data.Add(activation, false);
                data.Add(activation, true);
            }

            return data;
        }
    }

    [Fact]
    public void Name_IsIlgpuCpu_OnTheCpuAccelerator()
    {
        Assert.Equal("ilgpu-cpu", _ilgpu.Name);
    }

    [Fact]
    public void Allocate_ReturnsZeroFilledTensor_OfTheRequestedShape()
    {
        using Tensor tensor = _ilgpu.Allocate(3, 7);
        float[] values = Enumerable.Repeat(float.NaN, 21).ToArray();
        _ilgpu.Download(tensor, values);

        Assert.IsType<IlgpuTensor>(tensor);
        Assert.Equal((3, 7), (tensor.Rows, tensor.Columns));
        Assert.All(values, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void UploadDownload_RoundTrips_FloatAndDouble()
    {
        float[] floats = [1.5f, -2.25f, 3e-8f, 7f, float.MaxValue, -0f];
        double[] doubles = [0.1, -1e10, 2.5, 1.0 / 3.0, -7.0, 0.0];
        using Tensor tensor = _ilgpu.Allocate(2, 3);

        _ilgpu.Upload(floats, tensor);
        float[] floatsBack = new float[6];
        _ilgpu.Download(tensor, floatsBack);
        _ilgpu.Upload(doubles, tensor);
        double[] doublesBack = new double[6];
        _ilgpu.Download(tensor, doublesBack);

        Assert.Equal(floats, floatsBack);
        Assert.Equal(doubles.Select(d => (double)(float)d), doublesBack);
    }

    [Fact]
    public void UploadDownload_Throw_WhenTheLengthDiffersFromTheTensor()
    {
        using Tensor tensor = _ilgpu.Allocate(2, 3);

        var upload = Assert.Throws<ArgumentException>(() => _ilgpu.Upload(new float[5], tensor));
        var download = Assert.Throws<ArgumentException>(() => _ilgpu.Download(tensor, new double[7]));

        Assert.Contains("2×3", upload.Message);
        Assert.Contains("2×3", download.Message);
    }

    [Fact]
    public void EmptyTensors_AreAccepted_ByEveryOperation()
    {
        using var h = new Harness(_ilgpu, seed: 1);
        using Twin empty = h.Zeros(0, 3);
        using Twin emptyT = h.Zeros(3, 0);
        using Twin square = h.Random(3, 3);

        h.Both((b, t) => b.Copy(t(empty), t(empty)));
        h.Both((b, t) => b.Transpose(t(empty), t(emptyT)));
        h.Both((b, t) => b.Activate(Activation.Tanh, t(empty), t(empty)));
        h.Both((b, t) => b.Predict(1.0, t(empty), t(square), null, t(empty)));
        h.Both((b, t) => b.Predict(1.0, t(emptyT), t(empty), null, t(square)));

        Assert.Equal(0.0, _ilgpu.PredictionError(empty.Actual, empty.Actual, empty.Actual));
        Assert.Equal(0.0, _ilgpu.OutputError(LossKind.CrossEntropy, empty.Actual, empty.Actual, empty.Actual));
        Assert.Equal(0.0, _ilgpu.SumOfSquares(empty.Actual));
        h.AssertClose(square, "Predict with k = 0 writes zeros");
    }

    [Fact]
    public void Copy_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 2);
        foreach ((int rows, int columns) in Shapes())
        {
            using Twin source = h.Random(rows, columns);
            using Twin destination = h.Random(rows, columns);

            h.Both((b, t) => b.Copy(t(source), t(destination)));

            h.AssertClose(destination, $"Copy {rows}×{columns}", absolute: 0, relative: 0);
        }
    }

    [Fact]
    public void Transpose_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 3);
        foreach ((int rows, int columns) in Shapes())
        {
            using Twin source = h.Random(rows, columns);
            using Twin destination = h.Zeros(columns, rows);

            h.Both((b, t) => b.Transpose(t(source), t(destination)));

            h.AssertClose(destination, $"Transpose {rows}×{columns}", absolute: 0, relative: 0);
        }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void Activate_MatchesReference_ForEveryActivation(Activation activation)
    {
        using var h = new Harness(_ilgpu, seed: 4);
        foreach ((int rows, int columns) in Shapes())
        {
            using Twin z = h.Random(rows, columns, -4, 4);
            using Twin u = h.Zeros(rows, columns);

            h.Both((b, t) => b.Activate(activation, t(z), t(u)));

            h.AssertClose(u, $"Activate {activation} {rows}×{columns}");
        }
    }

    [Theory]
    [MemberData(nameof(Activations))]
    public void ActivateAndSlope_MatchReference_AtEdgeValues(Activation activation)
    {
        using var h = new Harness(_ilgpu, seed: 5);
        double[] edges = [-100, -50, -20, -9.5, -1, -0.5493, -1e-3, -1e-30, 0, 1e-30, 1e-3, 0.5493, 1, 9.5, 20, 50, 100];
        using Twin z = h.From(1, edges.Length, edges);
        using Twin u = h.Zeros(1, edges.Length);
        using Twin fb = h.From(1, edges.Length, Enumerable.Repeat(1.0, edges.Length).ToArray());
        using Twin e = h.Zeros(1, edges.Length);

        h.Both((b, t) => b.Activate(activation, t(z), t(u)));
        h.Both((b, t) => b.Backpropagate(activation, t(z), t(fb), null, t(e)));

        h.AssertClose(u, $"φ {activation} at edge values");
        h.AssertClose(e, $"φ′ {activation} at edge values");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predict_MatchesReference_OnRandomShapes(bool withResidual)
    {
        using var h = new Harness(_ilgpu, seed: 6);
        foreach (int batch in Batches)
        {
            foreach ((int nIn, int nOut) in DimensionPairs())
            {
                CheckPredict(h, batch, nIn, nOut, withResidual, scale: 0.37);
            }
        }
    }

    [Fact]
    public void PredictionError_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 7);
        foreach ((int rows, int columns) in Shapes().Append((3, 300)))
        {
            CheckPredictionError(h, rows, columns);
        }
    }

    [Theory]
    [InlineData(LossKind.Mse)]
    [InlineData(LossKind.CrossEntropy)]
    public void OutputError_MatchesReference_ForBothLosses(LossKind loss)
    {
        using var h = new Harness(_ilgpu, seed: 8);
        foreach ((int rows, int columns) in Shapes())
        {
            CheckOutputError(h, loss, rows, columns);
        }
    }

    [Fact]
    public void OutputError_CrossEntropy_IsStable_ForLargeLogits()
    {
        using var h = new Harness(_ilgpu, seed: 9);
        using Twin y = h.From(2, 3, [0, 1, 0, 0.25, 0.25, 0.5]);
        using Twin logits = h.From(2, 3, [1000, 990, -1000, -500, -480, -490]);
        using Twin d = h.Zeros(2, 3);

        // float32 cannot resolve log-softmax finer than the spacing of floats near |ŷ| = 1000.
        double spacing = MathF.BitIncrement(1000f) - 1000f;

        (double expected, double actual) = h.Both((b, t) => b.OutputError(LossKind.CrossEntropy, t(y), t(logits), t(d)));

        Assert.True(double.IsFinite(actual), $"energy {actual}");
        Harness.AssertScalarClose(expected, actual, "CE energy with large logits", 4 * spacing);
        h.AssertClose(d, "CE error with large logits", absolute: 2 * spacing);
    }

    [Fact]
    public void Feedback_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 10);
        foreach (int batch in Batches)
        {
            foreach ((int nIn, int nOut) in DimensionPairs())
            {
                CheckFeedback(h, batch, nIn, nOut, scale: -1.7);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ActivationsWithAndWithoutErrorAbove))]
    public void ActivityStep_MatchesReference_ForEveryActivation(Activation activation, bool withErrorAbove)
    {
        using var h = new Harness(_ilgpu, seed: 11);
        foreach ((int rows, int columns) in Shapes())
        {
            CheckActivityStep(h, activation, withErrorAbove, rows, columns);
        }
    }

    [Theory]
    [MemberData(nameof(ActivationsWithAndWithoutErrorAbove))]
    public void Backpropagate_MatchesReference_ForEveryActivation(Activation activation, bool withErrorAbove)
    {
        using var h = new Harness(_ilgpu, seed: 12);
        foreach ((int rows, int columns) in Shapes())
        {
            CheckBackpropagate(h, activation, withErrorAbove, rows, columns);
        }
    }

    [Fact]
    public void WeightGradient_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 13);
        foreach (int batch in Batches)
        {
            foreach ((int nIn, int nOut) in DimensionPairs())
            {
                CheckWeightGradient(h, batch, nIn, nOut, scale: -0.2);
            }
        }
    }

    [Fact]
    public void AdamStep_MatchesReference_OverThreeSteps()
    {
        using var h = new Harness(_ilgpu, seed: 14);
        foreach ((int rows, int columns) in Shapes())
        {
            CheckAdam(h, rows, columns, steps: 3);
        }
    }

    [Fact]
    public void SumOfSquares_MatchesReference_OnRandomShapes()
    {
        using var h = new Harness(_ilgpu, seed: 15);
        foreach ((int rows, int columns) in Shapes().Append((3, 300)).Append((1, 513)))
        {
            CheckSumOfSquares(h, rows, columns);
        }
    }

    [Fact]
    public void Operations_GiveReferenceResults_WhenCalledConcurrently()
    {
        double[] expected = new double[4];
        double[] actual = new double[4];

        Parallel.For(0, 4, i =>
        {
            using var h = new Harness(_ilgpu, seed: 100 + i);
            using Twin z = h.Random(5, 17);
            using Twin mu = h.Random(5, 17);
            using Twin eps = h.Zeros(5, 17);
            (expected[i], actual[i]) = h.Both((b, t) => b.PredictionError(t(z), t(mu), t(eps)) + b.SumOfSquares(t(eps)));
        });

        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= Float32Relative * Math.Abs(expected[i]), $"worker {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void ShapeMismatch_ThrowsArgumentException_NamingBothShapes()
    {
        using Tensor input = _ilgpu.Allocate(3, 7);
        using Tensor wrongWeights = _ilgpu.Allocate(5, 2);
        using Tensor prediction = _ilgpu.Allocate(3, 2);
        using Tensor other = _ilgpu.Allocate(3, 6);
        using Tensor error = _ilgpu.Allocate(3, 7);

        var predict = Assert.Throws<ArgumentException>(() => _ilgpu.Predict(1.0, input, wrongWeights, null, prediction));
        var energy = Assert.Throws<ArgumentException>(() => _ilgpu.PredictionError(input, other, error));
        var step = Assert.Throws<ArgumentException>(() => _ilgpu.ActivityStep(Activation.Relu, 0.1, input, error, error, other));

        Assert.Contains("5×2", predict.Message);
        Assert.Contains("7×2", predict.Message);
        Assert.Contains("3×7", energy.Message);
        Assert.Contains("3×6", energy.Message);
        Assert.Contains("3×7", step.Message);
        Assert.Contains("3×6", step.Message);
    }

    [Fact]
    public void TensorOfAnotherBackend_IsRejected()
    {
        using var reference = new ReferenceBackend();
        using Tensor foreign = reference.Allocate(2, 2);
        using Tensor own = _ilgpu.Allocate(2, 2);

        var sum = Assert.Throws<ArgumentException>(() => _ilgpu.SumOfSquares(foreign));
        Assert.Throws<ArgumentException>(() => _ilgpu.Copy(own, foreign));
        Assert.Throws<ArgumentException>(() => _ilgpu.Upload(new float[4], foreign));
        Assert.Throws<ArgumentException>(() => _ilgpu.Activate(Activation.Relu, foreign, own));

        Assert.Contains(nameof(ReferenceTensor), sum.Message);
    }

    [Fact]
    public void TensorOfAnotherIlgpuBackend_IsRejected()
    {
        using IlgpuBackend other = IlgpuBackend.CreateCpu();
        using Tensor foreign = other.Allocate(2, 2);

        var e = Assert.Throws<ArgumentException>(() => _ilgpu.SumOfSquares(foreign));

        Assert.Contains("another IlgpuBackend", e.Message);
    }

    [Fact]
    public void Operations_Throw_AfterDisposal_AndTensorsDisposeQuietly()
    {
        IlgpuBackend backend = IlgpuBackend.CreateCpu();
        Tensor tensor = backend.Allocate(2, 2);

        backend.Dispose();

        Assert.Throws<ObjectDisposedException>(() => backend.SumOfSquares(tensor));
        Assert.Throws<ObjectDisposedException>(() => backend.Allocate(1, 1));
        tensor.Dispose();
        backend.Dispose();
    }

    [Fact]
    public void UnknownActivationOrLoss_ThrowsArgumentOutOfRange()
    {
        using Tensor tensor = _ilgpu.Allocate(2, 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => _ilgpu.Activate((Activation)99, tensor, tensor));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ilgpu.OutputError((LossKind)99, tensor, tensor, tensor));
    }

    [Fact]
    public void DeviceMath_MatchesSystemMath_OverTheFloatRange()
    {
        double worstExp = 0, worstLog = 0, worstTanh = 0;
        for (double x = -87; x <= 88; x += 0.0173)
        {
            float f = (float)x;
            worstExp = Math.Max(worstExp, RelativeError(IlgpuMath.Exp(f), Math.Exp(f)));
            worstTanh = Math.Max(worstTanh, RelativeError(IlgpuMath.Tanh(f), Math.Tanh(f)));
            float positive = MathF.Exp(f);
            worstLog = Math.Max(worstLog, Math.Abs(IlgpuMath.Log(positive) - Math.Log(positive)) / Math.Max(1.0, Math.Abs(Math.Log(positive))));
        }

        Assert.True(worstExp <= DeviceMathRelative, $"exp: worst relative error {worstExp:E2}");
        Assert.True(worstLog <= DeviceMathRelative, $"log: worst relative error {worstLog:E2}");
        Assert.True(worstTanh <= DeviceMathRelative, $"tanh: worst relative error {worstTanh:E2}");
        Assert.Equal(float.PositiveInfinity, IlgpuMath.Exp(100f));
        Assert.Equal(0f, IlgpuMath.Exp(-200f));
        Assert.True(float.IsNaN(IlgpuMath.Exp(float.NaN)));
        Assert.Equal(float.NegativeInfinity, IlgpuMath.Log(0f));
        Assert.True(float.IsNaN(IlgpuMath.Log(-1f)));
        Assert.Equal(Math.Log(1e-40f), IlgpuMath.Log(1e-40f), 1e-5);
        Assert.Equal(-1f, IlgpuMath.Tanh(-60f));
    }

    [Fact]
    public void DeviceActivations_MatchTheOperators_OverAGrid()
    {
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            for (double x = -12; x <= 12; x += 0.013)
            {
                float f = (float)x;
                double value = ActivationFunctions.Value(activation, f);
                double slope = ActivationFunctions.Slope(activation, f);
                Assert.True(
                    Math.Abs(IlgpuActivations.Value((int)activation, f) - value) <= Float32Absolute + (Float32Relative * Math.Abs(value)),
                    $"φ {activation}({f}): {IlgpuActivations.Value((int)activation, f)} vs {value}");
                Assert.True(
                    Math.Abs(IlgpuActivations.Slope((int)activation, f) - slope) <= Float32Absolute + (Float32Relative * Math.Abs(slope)),
                    $"φ′ {activation}({f}): {IlgpuActivations.Slope((int)activation, f)} vs {slope}");
            }
        }
    }

    [Fact]
    public void Kernels_CompileForCuda_WithoutApproximateInstructions()
    {
        // Compiles PTX on the host, so every CI machine checks what a CUDA device would load.
        using Context context = Context.Create(builder => builder.DefaultCPU());
        using var ptx = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_70), CudaArchitecture.SM_70, CudaInstructionSet.ISA_70, nvvmAPI: null);
        MethodInfo[] kernels = typeof(IlgpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static);

        Assert.Equal(10, kernels.Length);
        foreach (MethodInfo kernel in kernels)
        {
            EntryPointDescription entry = kernel.GetParameters()[0].ParameterType == typeof(Index1D)
                ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
                : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);

            var compiled = (PTXCompiledKernel)ptx.Compile(entry, default(KernelSpecialization));
            string assembly = compiled.PTXAssembly.ToString();

            Assert.Contains(".entry", assembly);
            Assert.DoesNotContain(".approx", assembly);
        }
    }

    [CudaFact]
    public void Cuda_MatchesReference_OnAModerateShape()
    {
        using IlgpuBackend cuda = IlgpuBackend.CreateCuda();
        using var h = new Harness(cuda, seed: 16);
        const int Batch = 64, NIn = 300, NOut = 130;

        Assert.Equal("ilgpu-cuda", cuda.Name);
        CheckPredict(h, Batch, NIn, NOut, withResidual: false, scale: 0.05);
        CheckPredict(h, Batch, NOut, NOut, withResidual: true, scale: 0.05);
        CheckFeedback(h, Batch, NIn, NOut, scale: 0.05);
        CheckWeightGradient(h, Batch, NIn, NOut, scale: -1.0 / Batch);
        CheckPredictionError(h, Batch, NIn);
        CheckOutputError(h, LossKind.Mse, Batch, 10);
        CheckOutputError(h, LossKind.CrossEntropy, Batch, 10);
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            using Twin z = h.Random(Batch, NIn, -4, 4);
            using Twin u = h.Zeros(Batch, NIn);
            h.Both((b, t) => b.Activate(activation, t(z), t(u)));
            h.AssertClose(u, $"CUDA Activate {activation}");
            CheckActivityStep(h, activation, withErrorAbove: true, Batch, NIn);
            CheckBackpropagate(h, activation, withErrorAbove: true, Batch, NIn);
        }

        CheckAdam(h, NOut, NIn, steps: 3);
        CheckSumOfSquares(h, NOut, NIn);
        using Twin source = h.Random(Batch, NIn);
        using Twin transposed = h.Zeros(NIn, Batch);
        h.Both((b, t) => b.Transpose(t(source), t(transposed)));
        h.AssertClose(transposed, "CUDA Transpose", absolute: 0, relative: 0);
    }

    private static void CheckPredict(Harness h, int batch, int nIn, int nOut, bool withResidual, double scale)
    {
        using Twin u = h.Random(batch, nIn);
        using Twin wt = h.Random(nIn, nOut);
        using Twin? residual = withResidual ? h.Random(batch, nOut) : null;
        using Twin mu = h.Random(batch, nOut);

        h.Both((b, t) => b.Predict(scale, t(u), t(wt), residual is null ? null : t(residual), t(mu)));

        h.AssertClose(mu, $"Predict B={batch} {nIn}→{nOut} residual={withResidual}", Float32Absolute * Math.Max(1, nIn));
    }

    private static void CheckPredictionError(Harness h, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns);
        using Twin mu = h.Random(rows, columns);
        using Twin eps = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.PredictionError(t(z), t(mu), t(eps)));

        h.AssertClose(eps, $"ε {rows}×{columns}");
        Harness.AssertScalarClose(expected, actual, $"½‖ε‖² {rows}×{columns}", Float32Absolute * rows * columns);
    }

    private static void CheckOutputError(Harness h, LossKind loss, int rows, int columns)
    {
        // Odd rows one-hot, even rows soft targets whose sum is not 1 (d = y − softmax·Σy).
        double[] targets = new double[rows * columns];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < columns; k++)
            {
                targets[(i * columns) + k] = i % 2 == 1 ? (k == (i * 7) % columns ? 1.0 : 0.0) : h.Next(0, 1);
            }
        }

        using Twin y = h.From(rows, columns, targets);
        using Twin logits = h.Random(rows, columns, -5, 5);
        using Twin d = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.OutputError(loss, t(y), t(logits), t(d)));

        h.AssertClose(d, $"d {loss} {rows}×{columns}");
        Harness.AssertScalarClose(expected, actual, $"energy {loss} {rows}×{columns}", Float32Absolute * rows * columns);
    }

    private static void CheckFeedback(Harness h, int batch, int nIn, int nOut, double scale)
    {
        using Twin d = h.Random(batch, nOut);
        using Twin w = h.Random(nOut, nIn);
        using Twin fb = h.Random(batch, nIn);

        h.Both((b, t) => b.Feedback(scale, t(d), t(w), t(fb)));

        h.AssertClose(fb, $"Feedback B={batch} {nIn}←{nOut}", Float32Absolute * Math.Max(1, nOut));
    }

    private static void CheckActivityStep(Harness h, Activation activation, bool withErrorAbove, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns, -3, 3);
        using Twin eps = h.Random(rows, columns);
        using Twin fb = h.Random(rows, columns);
        using Twin? above = withErrorAbove ? h.Random(rows, columns) : null;

        h.Both((b, t) => b.ActivityStep(activation, 0.3, t(z), t(eps), t(fb), above is null ? null : t(above)));

        h.AssertClose(z, $"ActivityStep {activation} above={withErrorAbove} {rows}×{columns}");
    }

    private static void CheckBackpropagate(Harness h, Activation activation, bool withErrorAbove, int rows, int columns)
    {
        using Twin z = h.Random(rows, columns, -3, 3);
        using Twin fb = h.Random(rows, columns);
        using Twin? above = withErrorAbove ? h.Random(rows, columns) : null;
        using Twin e = h.Random(rows, columns);

        h.Both((b, t) => b.Backpropagate(activation, t(z), t(fb), above is null ? null : t(above), t(e)));

        h.AssertClose(e, $"Backpropagate {activation} above={withErrorAbove} {rows}×{columns}");
    }

    private static void CheckWeightGradient(Harness h, int batch, int nIn, int nOut, double scale)
    {
        using Twin d = h.Random(batch, nOut);
        using Twin u = h.Random(batch, nIn);
        using Twin g = h.Random(nOut, nIn);

        h.Both((b, t) => b.WeightGradient(scale, t(d), t(u), t(g)));

        h.AssertClose(g, $"WeightGradient B={batch} {nIn}→{nOut}", Float32Absolute * batch);
    }

    private static void CheckAdam(Harness h, int rows, int columns, int steps)
    {
        using Twin w = h.Random(rows, columns);
        using Twin m = h.Zeros(rows, columns);
        using Twin v = h.Zeros(rows, columns);
        for (int step = 1; step <= steps; step++)
        {
            using Twin g = h.Random(rows, columns, -0.1, 0.1);
            var parameters = new AdamStepParameters(1e-2, 0.9, 0.999, 1e-8, step);

            h.Both((b, t) => b.AdamStep(parameters, t(w), t(g), t(m), t(v)));

            h.AssertClose(m, $"Adam m, step {step}, {rows}×{columns}");
            h.AssertClose(v, $"Adam v, step {step}, {rows}×{columns}");
            h.AssertClose(w, $"Adam W, step {step}, {rows}×{columns}");
        }
    }

    private static void CheckSumOfSquares(Harness h, int rows, int columns)
    {
        using Twin x = h.Random(rows, columns);

        (double expected, double actual) = h.Both((b, t) => b.SumOfSquares(t(x)));

        Harness.AssertScalarClose(expected, actual, $"Σx² {rows}×{columns}", 0);
    }

    private static IEnumerable<(int Rows, int Columns)> Shapes() =>
        from rows in Batches from columns in Dimensions select (rows, columns);

    private static IEnumerable<(int In, int Out)> DimensionPairs() =>
        from nIn in Dimensions from nOut in Dimensions select (nIn, nOut);

    private static double RelativeError(double actual, double expected) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);

    /// <summary>One tensor on each backend, holding the same values.</summary>
    private sealed class Twin(Tensor expected, Tensor actual) : IDisposable
    {
        public Tensor Expected { get; } = expected;

        public Tensor Actual { get; } = actual;

        public void Dispose()
        {
            Expected.Dispose();
            Actual.Dispose();
        }
    }

    /// <summary>Runs each operation on the reference and on an ILGPU backend, and compares what they leave behind.</summary>
    private sealed class Harness(IlgpuBackend ilgpu, int seed) : IDisposable
    {
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

        public Twin Zeros(int rows, int columns) => new(_reference.Allocate(rows, columns), ilgpu.Allocate(rows, columns));

        public Twin From(int rows, int columns, double[] values)
        {
            Twin twin = Zeros(rows, columns);
            double[] rounded = values.Select(v => (double)(float)v).ToArray();
            _reference.Upload(rounded, twin.Expected);
            ilgpu.Upload(rounded, twin.Actual);
            return twin;
        }

        public void Both(Action<IPcBackend, Func<Twin, Tensor>> operation)
        {
            operation(_reference, t => t.Expected);
            operation(ilgpu, t => t.Actual);
        }

        public (double Expected, double Actual) Both(Func<IPcBackend, Func<Twin, Tensor>, double> operation) =>
            (operation(_reference, t => t.Expected), operation(ilgpu, t => t.Actual));

        public void AssertClose(Twin twin, string label, double absolute = Float32Absolute, double relative = Float32Relative)
        {
            double[] expected = new double[twin.Expected.Length];
            double[] actual = new double[twin.Actual.Length];
            _reference.Download(twin.Expected, expected);
            ilgpu.Download(twin.Actual, actual);
            for (int i = 0; i < expected.Length; i++)
            {
                double tolerance = absolute + (relative * Math.Abs(expected[i]));
                if (!(Math.Abs(actual[i] - expected[i]) <= tolerance) && !(double.IsNaN(expected[i]) && double.IsNaN(actual[i])))
                {
                    Assert.Fail($"{label}: element {i} (row {i / twin.Expected.Columns}, column {i % twin.Expected.Columns}) is {actual[i]:R} but the reference gives {expected[i]:R} (tolerance {tolerance:E2}).");
                }
            }
        }

        public static void AssertScalarClose(double expected, double actual, string label, double absolute, double relative = Float32Relative)
        {
            double tolerance = absolute + (relative * Math.Abs(expected));
            Assert.True(Math.Abs(actual - expected) <= tolerance, $"{label}: {actual:R} but the reference gives {expected:R} (tolerance {tolerance:E2}).");
        }

        public void Dispose() => _reference.Dispose();
    }
}
