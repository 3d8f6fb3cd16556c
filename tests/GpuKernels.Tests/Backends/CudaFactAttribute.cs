using Pcn.GpuKernels.Backends.Ilgpu;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>A fact that runs only where a CUDA device is present, and is reported as skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!IlgpuBackend.IsCudaAvailable())
        {
            Skip = "no CUDA device";
        }
    }
}
