using System.Runtime.InteropServices;
using Pcn.GpuKernels.Backends.Ilgpu;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// <see cref="CudaProbe"/>: absent without any sign of NVIDIA (and then ILGPU is not asked), failing with the reason
/// when there are signs but the check on the device throws or hangs, and the check's own result otherwise.
/// </summary>
public sealed class CudaProbeTests
{
    private static readonly NvidiaSigns DriverAndDevice = new("libcuda.so.1", ["/dev/nvidia0", "/proc/driver/nvidia"]);

    /// <summary>Long enough for a thread to start on a busy 2-core machine; the hanging check never finishes anyway.</summary>
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Runs everywhere: where NVIDIA's driver does not show itself (looked for here apart from the probe: nvidia-smi, a
    /// device node, the driver's /proc directory, its library) the probe is absent and says what it looked for; where
    /// it does, the probe is never absent (a GPU check skips nothing, so this test must not skip either).
    /// </summary>
    [Fact]
    public void Probe_IsAbsentWithWhatItLookedFor_ExactlyWhereNoNvidiaDriverShows()
    {
        bool nvidia = File.Exists("/usr/bin/nvidia-smi") || File.Exists("/dev/nvidia0") || Directory.Exists("/proc/driver/nvidia")
            || NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", out _);

        CudaProbeResult result = CudaProbe.Probe();

        Assert.Same(result, CudaProbe.Probe());
        if (nvidia)
        {
            Assert.NotEqual(CudaStatus.Absent, result.Status);
            return;
        }

        Assert.Equal(CudaStatus.Absent, result.Status);
        Assert.Contains("no NVIDIA driver library", result.Detail);
        var e = Assert.Throws<InvalidOperationException>(CudaProbe.RequirePresent);
        Assert.Contains("CUDA is absent", e.Message);
        Assert.Contains(result.Detail, e.Message);
    }

    [Fact]
    public void Classify_IsAbsent_WithoutSigns_AndDoesNotAskTheDevice()
    {
        CudaProbeResult result = CudaProbe.Classify(NvidiaSigns.None, _ => throw new InvalidOperationException("the device was asked"), ShortTimeout);

        Assert.Equal(CudaStatus.Absent, result.Status);
        Assert.Equal(NvidiaSigns.LookedFor, result.Detail);
    }

    [Fact]
    public void Classify_ReturnsTheCheck_WhenThereAreSigns()
    {
        var present = new CudaProbeResult(CudaStatus.Present, "NVIDIA H200: compute capability 9.0");

        CudaProbeResult result = CudaProbe.Classify(DriverAndDevice, signs => signs == DriverAndDevice ? present : throw new InvalidOperationException("other signs"), TimeSpan.FromMinutes(1));

        Assert.Same(present, result);
    }

    [Fact]
    public void Classify_IsFailing_WithTheExceptionTypeAndMessage_WhenTheCheckThrows()
    {
        CudaProbeResult result = CudaProbe.Classify(DriverAndDevice, _ => throw new DllNotFoundException("Unable to load shared library 'cuda'"), TimeSpan.FromMinutes(1));

        Assert.Equal(CudaStatus.Failing, result.Status);
        Assert.Contains("System.DllNotFoundException: Unable to load shared library 'cuda'", result.Detail);
        Assert.Contains("libcuda.so.1 loads; /dev/nvidia0, /proc/driver/nvidia exist", result.Detail);
    }

    [Fact]
    public void Classify_IsFailing_WhenTheCheckDoesNotFinish()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            CudaProbeResult result = CudaProbe.Classify(new NvidiaSigns(null, ["/dev/nvidia0"]), _ =>
            {
                release.Wait();
                return new CudaProbeResult(CudaStatus.Present, "too late");
            }, ShortTimeout);

            Assert.Equal(CudaStatus.Failing, result.Status);
            Assert.Contains("did not finish", result.Detail);
            Assert.Contains("no CUDA driver library loads; /dev/nvidia0 exist", result.Detail);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void Describe_NamesEveryExceptionInTheChain_OnOneLine()
    {
        var e = new TypeInitializationException("ILGPU.Runtime.Cuda.CudaAPI", new DllNotFoundException("libcuda.so:\ncannot open"));

        string text = CudaProbe.Describe(e);

        Assert.StartsWith("System.TypeInitializationException: ", text);
        Assert.Contains(" ← System.DllNotFoundException: libcuda.so: cannot open", text);
        Assert.DoesNotContain("\n", text);
    }

    [Fact]
    public void Result_PrintsAsOneLine_WithItsStatus()
    {
        Assert.Equal("cuda: failing — cuInit: CUDA_ERROR_NO_DEVICE (100)", new CudaProbeResult(CudaStatus.Failing, "cuInit: CUDA_ERROR_NO_DEVICE (100)").ToString());
    }
}
