using System.Globalization;
using System.Runtime.InteropServices;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// What the CUDA driver API says by itself (cuInit, cuDriverGetVersion, cuDeviceGetCount), called straight through
/// the driver library. ILGPU swallows every exception while it lists CUDA devices, so when it lists none this is the
/// only way to tell why: <c>CUDA_ERROR_NO_DEVICE</c>, a driver/kernel module mismatch, a stub library, …
/// </summary>
internal static unsafe class CudaDriverReport
{
    /// <summary>The driver's answers in one phrase, or why they could not be had.</summary>
    public static string Describe(string? library)
    {
        if (library is null)
        {
            return "the CUDA driver library does not load";
        }

        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return $"{library} does not load";
        }

        if (!NativeLibrary.TryGetExport(handle, "cuInit", out IntPtr init)
            || !NativeLibrary.TryGetExport(handle, "cuDriverGetVersion", out IntPtr version)
            || !NativeLibrary.TryGetExport(handle, "cuDeviceGetCount", out IntPtr count))
        {
            return $"{library} lacks the driver API (cuInit, cuDriverGetVersion, cuDeviceGetCount)";
        }

        NativeLibrary.TryGetExport(handle, "cuGetErrorName", out IntPtr errorName);
        int driver = 0, devices = 0;
        int versionResult = ((delegate* unmanaged<int*, int>)version)(&driver);
        string driverText = versionResult == 0 ? $"driver API {driver / 1000}.{driver % 1000 / 10}" : $"cuDriverGetVersion: {Error(errorName, versionResult)}";
        int initResult = ((delegate* unmanaged<uint, int>)init)(0);
        if (initResult != 0)
        {
            return $"{driverText}; cuInit: {Error(errorName, initResult)}";
        }

        int countResult = ((delegate* unmanaged<int*, int>)count)(&devices);
        return countResult == 0
            ? $"{driverText}; cuInit succeeds; cuDeviceGetCount: {devices.ToString(CultureInfo.InvariantCulture)}"
            : $"{driverText}; cuDeviceGetCount: {Error(errorName, countResult)}";
    }

    /// <summary>
    /// Why ILGPU may not reach a driver that loads under its soname: ILGPU imports it as "cuda", which .NET resolves on
    /// Linux as <c>libcuda.so</c> — a link that driver packages and containers do not always provide.
    /// </summary>
    public static string? MissingUnversionedLink(string? library)
    {
        if (!OperatingSystem.IsLinux() || library is null || NativeLibrary.TryLoad("libcuda.so", out _))
        {
            return null;
        }

        return $"ILGPU opens the driver as libcuda.so, which does not load although {library} does (link libcuda.so to it in a directory on the loader path)";
    }

    private static string Error(IntPtr errorName, int code)
    {
        string number = code.ToString(CultureInfo.InvariantCulture);
        if (errorName == IntPtr.Zero)
        {
            return $"CUDA error {number}";
        }

        IntPtr name = IntPtr.Zero;
        return ((delegate* unmanaged<int, IntPtr*, int>)errorName)(code, &name) == 0 && name != IntPtr.Zero
            ? $"{Marshal.PtrToStringAnsi(name)} ({number})"
            : $"CUDA error {number}";
    }
}
