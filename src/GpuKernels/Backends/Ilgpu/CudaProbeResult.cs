namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>The outcome of <see cref="CudaProbe.Probe"/>.</summary>
/// <param name="Status">Absent, present or failing.</param>
/// <param name="Detail">
/// One line: for <see cref="CudaStatus.Present"/> the device (name, compute capability, what ILGPU compiles for,
/// driver, memory); for <see cref="CudaStatus.Failing"/> the step that failed and the exception's type and message, with
/// what the CUDA driver itself reports; for <see cref="CudaStatus.Absent"/> what was looked for.
/// </param>
public sealed record CudaProbeResult(CudaStatus Status, string Detail)
{
    /// <summary>The result as one line: <c>cuda: present — NVIDIA H200, compute capability 9.0, …</c>.</summary>
    public override string ToString() => $"cuda: {Status.ToString().ToLowerInvariant()} — {Detail}";
}
