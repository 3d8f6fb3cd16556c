namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>What <see cref="CudaProbe"/> found on this machine.</summary>
public enum CudaStatus
{
    /// <summary>Nothing NVIDIA: no CUDA driver library and no NVIDIA device node. CUDA work is skipped, with a reason.</summary>
    Absent,

    /// <summary>ILGPU lists a CUDA device, and a small kernel ran on it and gave the right sums.</summary>
    Present,

    /// <summary>
    /// There are signs of an NVIDIA driver or device, but ILGPU threw, listed no device, or the small kernel failed or
    /// gave a wrong result: a broken setup, which CUDA tests report as a failure rather than skip.
    /// </summary>
    Failing,
}
