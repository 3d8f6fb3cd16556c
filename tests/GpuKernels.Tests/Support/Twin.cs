using Pcn.GpuKernels.Backends;

namespace Pcn.GpuKernels.Tests.Support;

/// <summary>One tensor on each backend, holding the same values.</summary>
public sealed class Twin(Tensor expected, Tensor actual) : IDisposable
{
    public Tensor Expected { get; } = expected;

    public Tensor Actual { get; } = actual;

    public void Dispose()
    {
        Expected.Dispose();
        Actual.Dispose();
    }
}
