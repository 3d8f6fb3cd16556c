using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Tests.Support;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// The CPU backend's inference steps allocate nothing once buffers, per-thread scratch and the layers' slots for T steps'
/// energies exist.
/// </summary>
[Collection(ExclusiveCorePool.Name)]
public sealed class AllocationTests
{
    /// <summary>With per-step energies the phased schedule runs; without (as in training), the wavefront.</summary>
    [Theory]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Tanh, false)]
    public void InferenceSteps_AllocateNothing_AfterWarmUp(Activation activation, bool stepEnergies)
    {
        var options = new NetworkOptions(Depth: 4, Width: 200, InputDim: 30, OutputDim: 10, activation, Seed: 2);
        using var backend = new CpuBackend();
        using var network = new PcNetwork(backend, options);
        var random = new Random(1);
        network.Clamp(Enumerable.Range(0, 64 * 30).Select(_ => (float)random.NextDouble()).ToArray(), new float[64 * 10], 64);
        double[] energies = new double[options.LayerCount];
        double[] steps = stepEnergies ? new double[50] : [];
        network.Feedforward();
        network.Infer(50, 0.1, steps, energies);

        long before = GC.GetAllocatedBytesForCurrentThread();
        network.Infer(50, 0.1, steps, energies);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
