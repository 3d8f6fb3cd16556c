using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Backends.Ilgpu;

namespace Pcn.Benchmarks;

/// <summary>The backends a benchmark can be asked for by name (<c>--backend</c>).</summary>
internal static class BenchBackends
{
    /// <summary>The names <see cref="Create"/> takes.</summary>
    public static readonly string[] Names = ["cpu", "cuda", "ilgpu-cpu"];

    /// <summary>
    /// "cpu": the SIMD CPU backend (products split over the cores); "cuda": ILGPU on the first CUDA device;
    /// "ilgpu-cpu": ILGPU's CPU accelerator (about 0.3 GFLOP/s: tiny shapes only).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name (the allowed ones listed).</exception>
    public static IPcBackend Create(string name) => name switch
    {
        "cpu" => new CpuBackend(),
        "cuda" => IlgpuBackend.CreateCuda(),
        "ilgpu-cpu" => IlgpuBackend.CreateCpu(),
        _ => throw new ArgumentException($"--backend '{name}': allowed values are {string.Join(", ", Names)}", nameof(name)),
    };
}
