using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;

namespace Pcn.Benchmarks;

/// <summary>One (m×k)·(k×n) product through the CPU backend's prediction (μ = u·Wᵀ, no skip).</summary>
internal sealed class GemmCase : IDisposable
{
    private readonly CpuBackend _backend;
    private readonly Tensor _a, _b, _c;

    public GemmCase(CpuBackend backend, int m, int k, int n)
    {
        _backend = backend;
        _a = RandomTensor.Create(backend, m, k, seed: 1);
        _b = RandomTensor.Create(backend, k, n, seed: 2);
        _c = backend.Allocate(m, n);
        Flops = 2.0 * m * k * n;
    }

    public double Flops { get; }

    public void Run() => _backend.Predict(1.0, _a, _b, null, _c);

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _c.Dispose();
    }
}
