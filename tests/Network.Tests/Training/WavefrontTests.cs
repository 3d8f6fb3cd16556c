using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Tests.Support;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// The trainer's inference as a wavefront over the cores (no barrier per step) computes the same bits as the phased
/// schedule: every batch's train loss and energies, the final weights, and a divergence names the same layer and step.
/// These tests hold the core pool alone, so the wavefront really runs (a busy pool falls back to phases).
/// </summary>
[Collection(ExclusiveCorePool.Name)]
public sealed class WavefrontTests
{
    /// <summary>Networks with an even number of layers 2..L−1, which two cores share fairly (so the wavefront runs).</summary>
    public static TheoryData<int, int, Activation, LossKind> Networks => new()
    {
        { 9, 5, Activation.Relu, LossKind.Mse },
        { 17, 17, Activation.Relu, LossKind.Mse },
        { 7, 9, Activation.Tanh, LossKind.CrossEntropy },
        { 5, 0, Activation.Relu, LossKind.Mse },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Wavefront_EqualsThePhasedSchedule_BitForBit(int depth, int steps, Activation activation, LossKind loss)
    {
        var options = new NetworkOptions(depth, Width: 48, InputDim: 30, OutputDim: 10, activation, Loss: loss, Seed: 4);
        (List<double[]> phased, float[] phasedWeights, int phasedWavefronts) = Train(options, steps, wavefront: false, beta: 0.5);
        (List<double[]> wavefront, float[] wavefrontWeights, int wavefronts) = Train(options, steps, wavefront: true, beta: 0.5);

        Assert.Equal(0, phasedWavefronts);
        Assert.Equal(Environment.ProcessorCount > 1 ? BatchCount : 0, wavefronts);
        Assert.Equal(phased, wavefront);
        Assert.True(phasedWeights.AsSpan().SequenceEqual(wavefrontWeights), "the weights differ");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void NetworkTooSmallToShareFairly_RunsInPhases(int depth)
    {
        // L − 2 = 0 or 7 layers with products: one core would get more than its share.
        var options = new NetworkOptions(depth, Width: 48, InputDim: 30, OutputDim: 10, Seed: 4);

        (_, _, int wavefronts) = Train(options, steps: 4, wavefront: true, beta: 0.5);

        Assert.Equal(0, wavefronts);
    }

    [Fact]
    public void Wavefront_Divergence_NamesTheLayerAndStepOfThePhasedSchedule()
    {
        var options = new NetworkOptions(Depth: 9, Width: 24, InputDim: 30, OutputDim: 10, Parameterisation: Parameterisation.Sp, Seed: 3);

        var phased = Assert.Throws<DivergenceException>(() => Train(options, steps: 30, wavefront: false, beta: 3e4));
        var wavefront = Assert.Throws<DivergenceException>(() => Train(options, steps: 30, wavefront: true, beta: 3e4));

        Assert.Equal(phased.Message, wavefront.Message);
        Assert.True(phased.Step > 0, phased.Message);
    }

    private const int BatchCount = 3;

    /// <summary>Three PC batches; per batch the train loss followed by the energies after inference, and the final weights.</summary>
    private static (List<double[]> Batches, float[] Weights, int Wavefronts) Train(NetworkOptions options, int steps, bool wavefront, double beta)
    {
        using var backend = new CpuBackend();
        using var network = new PcNetwork(backend, options) { ParallelOverLayers = wavefront };
        var random = new Random(5);
        var training = new TrainingOptions(InferenceRate: beta);
        var batches = new List<double[]>();
        for (int batch = 0; batch < BatchCount; batch++)
        {
            float[] x = Enumerable.Range(0, 32 * options.InputDim).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] y = new float[32 * options.OutputDim];
            for (int i = 0; i < 32; i++)
            {
                y[(i * options.OutputDim) + random.Next(options.OutputDim)] = 1f;
            }

            network.Clamp(x, y, 32);
            double[] energies = new double[options.LayerCount];
            double trainLoss = network.TrainPc(steps, beta, training, [], energies);
            batches.Add([trainLoss, .. energies]);
        }

        float[] weights = Enumerable.Range(1, options.LayerCount).SelectMany(l => Download(backend, network.Layer(l).Weights)).ToArray();
        return (batches, weights, network.WavefrontInferences);
    }

    private static float[] Download(CpuBackend backend, Tensor tensor)
    {
        float[] values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
