using System.Globalization;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// Tells a machine without anything NVIDIA (<see cref="CudaStatus.Absent"/>: CUDA work is skipped) from one whose
/// CUDA device works (<see cref="CudaStatus.Present"/>: ILGPU lists it and a small kernel gives the right sums on it)
/// and from one with an NVIDIA driver or device that does not work (<see cref="CudaStatus.Failing"/>: CUDA tests then
/// fail with the reason instead of being skipped). Probed once per process.
/// </summary>
/// <remarks>
/// Absent is decided without ILGPU: no driver library (<c>libcuda.so.1</c>, <c>nvcuda.dll</c>) loads and no NVIDIA
/// device node or <c>/proc/driver/nvidia</c> exists. Otherwise ILGPU is asked, on a thread of its own with a time
/// limit, since a broken driver can hang rather than fail.
/// </remarks>
public static class CudaProbe
{
    /// <summary>
    /// How long the check on the device may take: creating the first context and compiling the kernel take a second or
    /// two; a driver that waits for a lost device takes forever.
    /// </summary>
    internal static readonly TimeSpan DeviceCheckTimeout = TimeSpan.FromSeconds(120);

    private static readonly Lazy<CudaProbeResult> Result = new(() => Classify(NvidiaSigns.Find(), CheckDevice, DeviceCheckTimeout));

    /// <summary>Probes this machine (once per process; later calls return the same result).</summary>
    public static CudaProbeResult Probe() => Result.Value;

    /// <summary>Checks that a working CUDA device is present, so that a CUDA test fails with the probe's reason.</summary>
    /// <exception cref="InvalidOperationException">The probe found no device, or a failing one (its detail named).</exception>
    public static void RequirePresent()
    {
        CudaProbeResult result = Probe();
        if (result.Status != CudaStatus.Present)
        {
            throw new InvalidOperationException($"CUDA is {result.Status.ToString().ToLowerInvariant()}: {result.Detail}");
        }
    }

    /// <summary>
    /// Absent without signs; otherwise the outcome of <paramref name="checkDevice"/>, run on a thread of its own, with
    /// what it throws and a run past <paramref name="timeout"/> as failures.
    /// </summary>
    internal static CudaProbeResult Classify(NvidiaSigns signs, Func<NvidiaSigns, CudaProbeResult> checkDevice, TimeSpan timeout)
    {
        if (!signs.Any)
        {
            return new CudaProbeResult(CudaStatus.Absent, NvidiaSigns.LookedFor);
        }

        // A thread of its own: a hung driver call keeps it, not a pool thread, and the caller goes on.
        Task<CudaProbeResult> check = Task.Factory.StartNew(() => checkDevice(signs), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return check.Wait(timeout)
                ? check.Result
                : Failing($"the check on the device did not finish within {timeout.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s (a hung driver?); {signs}");
        }
        catch (AggregateException e) when (e.InnerException is { } inner and not OutOfMemoryException)
        {
            // What CheckDevice does not catch itself: ILGPU's assembly or its CUDA support failing to load.
            return Failing($"loading ILGPU's CUDA support: {Describe(inner)}; {signs}");
        }
    }

    /// <summary>An exception as "Type: message", with its inner exceptions, on one line.</summary>
    internal static string Describe(Exception exception)
    {
        var text = new System.Text.StringBuilder();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            text.Append(text.Length == 0 ? string.Empty : " ← ").Append(e.GetType().FullName).Append(": ").Append(e.Message.ReplaceLineEndings(" ").Trim());
        }

        return text.ToString();
    }

    private static CudaProbeResult Failing(string detail) => new(CudaStatus.Failing, detail);

    /// <summary>Lists the CUDA devices with ILGPU and runs a small kernel on the first (out of line: ILGPU loads here only).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CudaProbeResult CheckDevice(NvidiaSigns signs)
    {
        string step = "creating an ILGPU context with the CUDA devices";
        try
        {
            using Context context = Context.Create(builder => builder.Cuda());
            Context.DeviceCollection<CudaDevice> devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                string? link = CudaDriverReport.MissingUnversionedLink(signs.DriverLibrary);
                return Failing($"ILGPU lists no CUDA device, although {signs}; {CudaDriverReport.Describe(signs.DriverLibrary)}{(link is null ? string.Empty : $"; {link}")}{ExcludedDevices()}");
            }

            CudaDevice device = devices[0];
            step = $"creating an accelerator on {device.Name}";
            using CudaAccelerator accelerator = device.CreateCudaAccelerator(context);
            step = $"running a 4-element addition on {device.Name}";
            string? wrong = AddOnDevice(accelerator);
            return wrong is null
                ? new CudaProbeResult(CudaStatus.Present, DescribeDevice(device, devices.Count))
                : Failing($"{step}: the kernel computed {wrong}; {DescribeDevice(device, devices.Count)}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failing($"{step}: {Describe(e)}; {signs}; {CudaDriverReport.Describe(signs.DriverLibrary)}");
        }
    }

    /// <summary>
    /// The devices ILGPU sees but leaves out of <c>Cuda()</c>: it takes only those with a known architecture and a PTX
    /// instruction set it supports for the installed driver.
    /// </summary>
    private static string ExcludedDevices()
    {
        try
        {
            using Context context = Context.Create(builder => builder.Cuda(_ => true));
            Context.DeviceCollection<CudaDevice> all = context.GetCudaDevices();
            var left = new List<string>();
            for (int i = 0; i < all.Count; i++)
            {
                CudaDevice d = all[i];
                left.Add($"{d.Name} (compute capability {d.Architecture?.Major}.{d.Architecture?.Minor}, PTX instruction set {d.InstructionSet?.ToString() ?? "none supported"} for driver {d.DriverVersion.Major}.{d.DriverVersion.Minor})");
            }

            return left.Count == 0 ? string.Empty : $"; ILGPU leaves out {string.Join(", ", left)}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"; listing every device failed too: {Describe(e)}";
        }
    }

    /// <summary>The device in one phrase: <c>NVIDIA H200: compute capability 9.0 (ILGPU compiles for sm_80, PTX ISA 8.8), …</c>.</summary>
    private static string DescribeDevice(CudaDevice device, int count)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string capability = device.Architecture is { } a ? $"{a.Major}.{a.Minor}" : "unknown";
        string target = device.Capabilities is CudaCapabilityContext { TargetArchitecture: var t } ? $"sm_{t.Major}{t.Minor}" : "?";
        string isa = device.InstructionSet is { } i ? $"{i.Major}.{i.Minor}" : "?";
        string memory = (device.MemorySize / (1024.0 * 1024 * 1024)).ToString("F1", c);
        string others = count > 1 ? $"; {count} CUDA devices, the first checked" : string.Empty;
        return $"{device.Name}: compute capability {capability} (ILGPU compiles for {target}, PTX ISA {isa}), CUDA driver {device.DriverVersion.Major}.{device.DriverVersion.Minor}, {memory} GiB, {device.NumMultiprocessors} SMs{others}";
    }

    /// <summary>Adds [1, 2, 3, 4] and [10, 20, 30, 40] on the device; null when it gives [11, 22, 33, 44] (exact in float).</summary>
    private static string? AddOnDevice(Accelerator accelerator)
    {
        float[] left = [1f, 2f, 3f, 4f];
        float[] right = [10f, 20f, 30f, 40f];
        float[] expected = [11f, 22f, 33f, 44f];
        Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> add =
            accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Add);
        using MemoryBuffer1D<float, Stride1D.Dense> a = accelerator.Allocate1D(left);
        using MemoryBuffer1D<float, Stride1D.Dense> b = accelerator.Allocate1D(right);
        using MemoryBuffer1D<float, Stride1D.Dense> sum = accelerator.Allocate1D<float>(left.Length);
        add(left.Length, a.View, b.View, sum.View);
        accelerator.Synchronize();
        float[] result = sum.GetAsArray1D();
        return result.SequenceEqual(expected)
            ? null
            : $"[{string.Join(", ", result.Select(v => v.ToString(CultureInfo.InvariantCulture)))}] instead of [11, 22, 33, 44]";
    }

    /// <summary>The probe's kernel: <c>sum = left + right</c>, element-wise.</summary>
    private static void Add(Index1D index, ArrayView<float> left, ArrayView<float> right, ArrayView<float> sum) =>
        sum[index] = left[index] + right[index];
}
