using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// What a µPC batch of the single-process network asks of the device (ILGPU's CPU accelerator, counted by the backend)
/// once the layers' buffers and kernel tables exist: no allocation, no copy but the clamped x and y, one wait for the
/// sums, and a number of launches per inference step that does not grow with the number of layers.
/// </summary>
public sealed class DeviceCountTests
{
    private const int Batch = 16;
    private const int InputDim = 784;
    private const int OutputDim = 10;

    /// <summary>Most launches per inference step the issue allows, whatever the depth.</summary>
    private const int MaxLaunchesPerStep = 12;

    [Fact]
    public void SteadyStateBatch_AllocatesNothing_CopiesOnlyTheClamp_WaitsOnce_AndLaunchesPerStepIndependentOfDepth()
    {
        var perStep = new Dictionary<int, long>();
        foreach (int depth in new[] { 4, 16 })
        {
            DeviceCounters shortBatch = SteadyStateBatch(depth, steps: 6);
            DeviceCounters longBatch = SteadyStateBatch(depth, steps: 12);
            foreach (DeviceCounters counts in new[] { shortBatch, longBatch })
            {
                Assert.Equal(0, counts.Allocations);
                Assert.Equal((long)Batch * (InputDim + OutputDim) * sizeof(float), counts.HostToDeviceBytes);
                Assert.Equal(1, counts.HostWaits);
            }

            // The sums read once per batch: each layer's energies for steps 0..T and its three norms, in double.
            Assert.InRange(longBatch.DeviceToHostBytes, 1, (depth + 2L) * (12 + 4) * sizeof(double));
            Assert.Equal(0, (longBatch.Launches - shortBatch.Launches) % 6);
            perStep[depth] = (longBatch.Launches - shortBatch.Launches) / 6;
        }

        Assert.Equal(perStep[4], perStep[16]);
        Assert.InRange(perStep[4], 1, MaxLaunchesPerStep);
    }

    [Fact]
    public void DeviceNetwork_EqualsTheCpuBackend_WithinFloat32()
    {
        // Oracle: the CPU backend's float32 network (itself held to the double-precision reference by the golden and
        // conformance tests), on the same seed and batch.
        var options = new NetworkOptions(Depth: 6, Width: 24, InputDim: 20, OutputDim: 5, Seed: 3);
        var training = new TrainingOptions(BatchSize: 8);
        var random = new Random(2);
        float[] x = Enumerable.Range(0, 8 * 20).Select(_ => (float)random.NextDouble()).ToArray();
        float[] y = Enumerable.Range(0, 8 * 5).Select(i => i % 5 == (i / 5) % 5 ? 1f : 0f).ToArray();
        double[] expected = Train(new CpuBackend(), options, training, x, y);
        double[] actual = Train(IlgpuBackend.CreateCpu(), options, training, x, y);

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"value {i}: {actual[i]} vs {expected[i]}");
        }
    }

    /// <summary>
    /// Three batches of µPC: each batch's train loss and layer energies (those of batches 2 and 3 after Adam steps). The
    /// weights themselves are not compared: Adam moves a weight whose gradient is near 0 by about ±η on the sign of
    /// float rounding, which says nothing about the kernels.
    /// </summary>
    private static double[] Train(IPcBackend backend, NetworkOptions options, TrainingOptions training, float[] x, float[] y)
    {
        using (backend)
        {
            using var network = new PcNetwork(backend, options);
            double[] energies = new double[options.LayerCount];
            var values = new List<double>();
            for (int b = 0; b < 3; b++)
            {
                network.Clamp(x, y, 8);
                values.Add(network.TrainPc(8, 0.1, training, [], energies));
                values.AddRange(energies);
            }

            return [.. values];
        }
    }

    /// <summary>The fourth batch: the first three meet new buffers and kernel tables (two buffer parities, and no update before the first).</summary>
    private static DeviceCounters SteadyStateBatch(int depth, int steps)
    {
        using IlgpuBackend backend = IlgpuBackend.CreateCpu();
        var options = new NetworkOptions(Depth: depth, Width: 16, Seed: 4);
        using var network = new PcNetwork(backend, options);
        float[] x = new float[Batch * InputDim], y = new float[Batch * OutputDim];
        double[] energies = new double[options.LayerCount];
        var training = new TrainingOptions(BatchSize: Batch);
        DeviceCounters before = default;
        for (int batch = 0; batch < 4; batch++)
        {
            before = backend.Counters;
            network.Clamp(x, y, Batch);
            network.TrainPc(steps, 0.1, training, [], energies);
        }

        return backend.Counters - before;
    }
}
