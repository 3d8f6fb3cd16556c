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
using Pcn.GpuKernels.Tests.Support;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// What is particular to the ILGPU backend (its operations against the reference run in
/// <see cref="BackendConformanceTests"/> with every float backend): allocation, transfers, empty tensors, concurrent
/// callers, ownership and disposal, the device-safe maths, PTX compilation for CUDA, and a CUDA run on a moderate
/// shape where a device exists.
/// </summary>
public sealed class IlgpuBackendTests(IlgpuCpuBackendFixture fixture) : IClassFixture<IlgpuCpuBackendFixture>
{
    private const double Float32Relative = BackendHarness.Float32Relative;
    private const double Float32Absolute = BackendHarness.Float32Absolute;

    /// <summary>The software exp, log and tanh against System.Math: 3 ulp.</summary>
    private const double DeviceMathRelative = 2e-7;

    private readonly IlgpuBackend _ilgpu = fixture.Backend;

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
        using var h = new BackendHarness(_ilgpu, seed: 1);
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
    public void Operations_GiveReferenceResults_WhenCalledConcurrently()
    {
        double[] expected = new double[4];
        double[] actual = new double[4];

        Parallel.For(0, 4, i =>
        {
            using var h = new BackendHarness(_ilgpu, seed: 100 + i);
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
        MethodInfo[] kernels = typeof(BatchedKernels).GetMethods(BindingFlags.Public | BindingFlags.Static);

        Assert.Equal(2, kernels.Length);
        foreach (MethodInfo kernel in kernels)
        {
            var compiled = (PTXCompiledKernel)ptx.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), default(KernelSpecialization));
            string assembly = compiled.PTXAssembly.ToString();

            Assert.Contains(".entry", assembly);
            Assert.DoesNotContain(".approx", assembly);
        }
    }

    [CudaFact]
    public void Cuda_MatchesReference_OnAModerateShape()
    {
        CudaProbe.RequirePresent();
        using IlgpuBackend cuda = IlgpuBackend.CreateCuda();

        Assert.Equal("ilgpu-cuda", cuda.Name);
        CheckModerateShape(cuda);
    }

    /// <summary>The kernels with a GPU's tile sizes (16×16 product groups, 256-thread reductions), on the CPU.</summary>
    [Fact]
    public void CudaLikeCpuAccelerator_MatchesReference_OnAModerateShape()
    {
        using IlgpuBackend backend = IlgpuBackend.CreateCpuLikeCuda();

        Assert.Contains("warp 32, groups up to 256 threads", backend.DeviceDescription);
        CheckModerateShape(backend);
    }

    /// <summary>Every operation against the double-precision reference at B = 64, N_in = 300, N_out = 130.</summary>
    private static void CheckModerateShape(IlgpuBackend backend)
    {
        using var h = new BackendHarness(backend, seed: 16);
        const int Batch = 64, NIn = 300, NOut = 130;
        BackendChecks.CheckPredict(h, Batch, NIn, NOut, withResidual: false, scale: 0.05);
        BackendChecks.CheckPredict(h, Batch, NOut, NOut, withResidual: true, scale: 0.05);
        BackendChecks.CheckFeedback(h, Batch, NIn, NOut, scale: 0.05);
        BackendChecks.CheckWeightGradient(h, Batch, NIn, NOut, scale: -1.0 / Batch);
        BackendChecks.CheckPredictionError(h, Batch, NIn);
        BackendChecks.CheckOutputError(h, LossKind.Mse, Batch, 10);
        BackendChecks.CheckOutputError(h, LossKind.CrossEntropy, Batch, 10);
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            using Twin z = h.Random(Batch, NIn, -4, 4);
            using Twin u = h.Zeros(Batch, NIn);
            h.Both((b, t) => b.Activate(activation, t(z), t(u)));
            h.AssertClose(u, $"{backend.Name} Activate {activation}");
            BackendChecks.CheckActivityStep(h, activation, withErrorAbove: true, Batch, NIn);
            BackendChecks.CheckActivityStep(h, activation, withErrorAbove: false, Batch, NIn, inPlace: false);
            BackendChecks.CheckBackpropagate(h, activation, withErrorAbove: true, Batch, NIn);
        }

        BackendChecks.CheckAdam(h, NOut, NIn, steps: 3);
        BackendChecks.CheckSumOfSquares(h, NOut, NIn);
        using Twin source = h.Random(Batch, NIn);
        using Twin transposed = h.Zeros(NIn, Batch);
        h.Both((b, t) => b.Transpose(t(source), t(transposed)));
        h.AssertClose(transposed, $"{backend.Name} Transpose", absolute: 0, relative: 0);
    }

    private static double RelativeError(double actual, double expected) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);
}
