using Pcn.GpuKernels.Backends.Ilgpu;

namespace Pcn.GpuKernels.Tests.Backends;

/// <summary>One ILGPU backend on the CPU accelerator per test class: creating a context and loading kernels is slow.</summary>
public sealed class IlgpuCpuBackendFixture : IDisposable
{
    public IlgpuBackend Backend { get; } = IlgpuBackend.CreateCpu();

    public void Dispose() => Backend.Dispose();
}
