using Pcn.GpuKernels.Backends.Cpu;

namespace Pcn.Benchmarks;

/// <summary>
/// The same (m×k)·(k×n) product on every core at once, each core with its own operands and no splitting: the
/// ceiling for a schedule that runs whole layers in parallel (the single-process trainer, a silo's layer grains).
/// </summary>
internal sealed class GemmPerCoreCase : IDisposable
{
    private readonly CpuBackend _backend = new(parallelProducts: false);
    private readonly GemmCase[] _cases;
    private readonly int _repetitions;

    public GemmPerCoreCase(int cores, int m, int k, int n, int repetitions)
    {
        _cases = Enumerable.Range(0, cores).Select(_ => new GemmCase(_backend, m, k, n)).ToArray();
        _repetitions = repetitions;
        Flops = cores * repetitions * _cases[0].Flops;
    }

    /// <summary>FLOPs of one <see cref="Run"/> over all cores.</summary>
    public double Flops { get; }

    public void Run() => Parallel.For(0, _cases.Length, new ParallelOptions { MaxDegreeOfParallelism = _cases.Length }, c =>
    {
        for (int r = 0; r < _repetitions; r++)
        {
            _cases[c].Run();
        }
    });

    public void Dispose()
    {
        foreach (GemmCase c in _cases)
        {
            c.Dispose();
        }

        _backend.Dispose();
    }
}
