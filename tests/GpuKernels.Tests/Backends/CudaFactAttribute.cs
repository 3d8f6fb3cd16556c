using Pcn.GpuKernels.Backends.Ilgpu;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>
/// A fact that is skipped only where nothing NVIDIA is installed (<see cref="CudaStatus.Absent"/>). Where a driver or
/// device exists the test runs, so a broken setup fails it (its first line, <see cref="CudaProbe.RequirePresent"/>,
/// names what the probe found) instead of being skipped.
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (CudaProbe.Probe().Status == CudaStatus.Absent)
        {
            Skip = "no NVIDIA GPU or driver on this machine";
        }
    }
}
