using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Structure;
using Pcn.Network.Training;

namespace Pcn.Benchmarks;

/// <summary>One µPC training batch (B = 64, random inputs) on a backend, and the useful FLOPs it performs.</summary>
internal sealed class PcBatchCase : IDisposable
{
    private const int Batch = 64;
    private readonly PcNetwork _network;
    private readonly int _steps;
    private readonly TrainingOptions _training = new();
    private readonly double[] _energies;

    public PcBatchCase(IPcBackend backend, int width, int depth, int steps)
    {
        var options = new NetworkOptions(depth, width, Seed: 1);
        _network = new PcNetwork(backend, options);
        _steps = steps;
        _energies = new double[options.LayerCount];
        float[] y = new float[Batch * options.OutputDim];
        for (int i = 0; i < Batch; i++)
        {
            y[(i * options.OutputDim) + (i % options.OutputDim)] = 1f;
        }

        _network.Clamp(RandomTensor.Values(Batch * options.InputDim, seed: 3), y, Batch);
        Flops = CountFlops(_network.Shape, steps);
    }

    /// <summary>
    /// The products one batch performs (element-wise work not counted): every layer one feedforward prediction and one
    /// weight gradient; layers ℓ ≥ 2 also T feedbacks and T fresh predictions (steps 1..T−1 and the final errors).
    /// </summary>
    public double Flops { get; }

    public void Run() => _network.TrainPc(_steps, 0.5, _training, [], _energies);

    public void Dispose() => _network.Dispose();

    private static double CountFlops(NetworkShape shape, int steps)
    {
        double flops = 0;
        foreach (LayerShape layer in shape.Layers)
        {
            double product = 2.0 * layer.ProductMultiplyAdds(Batch);
            flops += product * (layer.ActivatesInput ? 2 + (2 * steps) : 2);
        }

        return flops;
    }
}
