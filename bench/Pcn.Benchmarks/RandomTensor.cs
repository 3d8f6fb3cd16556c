using Pcn.GpuKernels.Backends;

namespace Pcn.Benchmarks;

internal static class RandomTensor
{
    public static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)((2 * random.NextDouble()) - 1)).ToArray();
    }

    public static Tensor Create(IPcBackend backend, int rows, int columns, int seed)
    {
        Tensor t = backend.Allocate(rows, columns);
        backend.Upload(Values(rows * columns, seed), t);
        return t;
    }
}
