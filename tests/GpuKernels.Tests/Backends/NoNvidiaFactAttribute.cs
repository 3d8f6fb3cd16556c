using System.Runtime.InteropServices;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// A fact about machines without NVIDIA: skipped where NVIDIA's driver shows itself (nvidia-smi, a device node, the
/// driver's /proc directory, or libcuda.so.1 / nvcuda.dll loading), looked for here independently of the probe.
/// </summary>
public sealed class NoNvidiaFactAttribute : FactAttribute
{
    public NoNvidiaFactAttribute()
    {
        bool nvidia = File.Exists("/usr/bin/nvidia-smi") || File.Exists("/dev/nvidia0") || Directory.Exists("/proc/driver/nvidia")
            || NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", out _);
        if (nvidia)
        {
            Skip = "this machine has NVIDIA's driver: the probe's Absent case cannot be seen here";
        }
    }
}
