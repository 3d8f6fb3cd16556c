using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// The CPU backend is bit-reproducible: the same seed gives the same bits whether layers run in parallel or one after
/// another with split products, and from run to run. The actor system's equivalence with this trainer relies on it.
/// </summary>
public sealed class DeterminismTests
{
    [Theory]
    [InlineData(Algorithm.Pc)]
    [InlineData(Algorithm.Bp)]
    public void Training_IsBitIdentical_AcrossSchedulesAndRuns(Algorithm algorithm)
    {
        float[] a = Train(algorithm, parallelOverLayers: true);
        float[] b = Train(algorithm, parallelOverLayers: false);
        float[] c = Train(algorithm, parallelOverLayers: true);

        Assert.Equal(a, b);
        Assert.Equal(a, c);
    }

    [Fact]
    public void Training_IsBitIdentical_WhenSeveralNetworksTrainConcurrently()
    {
        float[] alone = Train(Algorithm.Pc, parallelOverLayers: true);

        // Three trainers share the process-wide core pool: nested products are published and helped across them.
        float[][] together = new float[3][];
        Parallel.For(0, together.Length, new ParallelOptions { MaxDegreeOfParallelism = together.Length }, i => together[i] = Train(Algorithm.Pc, parallelOverLayers: i != 1));

        Assert.All(together, weights => Assert.Equal(alone, weights));
    }

    private static float[] Train(Algorithm algorithm, bool parallelOverLayers)
    {
        var options = new NetworkOptions(Depth: 5, Width: 200, InputDim: 70, OutputDim: 10, Seed: 11);
        using var backend = new CpuBackend();
        using var network = new PcNetwork(backend, options) { ParallelOverLayers = parallelOverLayers };
        var random = new Random(3);
        var training = new TrainingOptions(algorithm);
        double[] energies = new double[options.LayerCount];
        for (int batch = 0; batch < 3; batch++)
        {
            float[] x = Enumerable.Range(0, 64 * 70).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] y = new float[64 * 10];
            for (int i = 0; i < 64; i++)
            {
                y[(i * 10) + random.Next(10)] = 1f;
            }

            network.Clamp(x, y, 64);
            if (algorithm == Algorithm.Pc)
            {
                network.TrainPc(5, 0.5, training, [], energies);
            }
            else
            {
                network.TrainBp(training);
            }
        }

        return Enumerable.Range(1, options.LayerCount).SelectMany(l => Download(backend, network.Layer(l).Weights)).ToArray();
    }

    private static float[] Download(CpuBackend backend, Tensor tensor)
    {
        float[] values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
