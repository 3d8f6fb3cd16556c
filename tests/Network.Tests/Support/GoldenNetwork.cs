using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Structure;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Support;

/// <summary>
/// The deterministic network of spec §10.2: D = 3, N = 4, d_y = 2, H = 4 (L = 5), B = 2, skips on,
/// W_ℓ[r][c] = sin(1.3ℓ + 1.7r + 2.9c), x_i[c] = cos(1 + 2.1i + 0.9c), y_0 = [0, 1], y_1 = [1, 0].
/// </summary>
public static class GoldenNetwork
{
    public const int Batch = 2;

    public static NetworkOptions Options(Parameterisation parameterisation, Activation activation = Activation.Relu, LossKind loss = LossKind.Mse, bool skips = true) =>
        new(Depth: 4, Width: 4, InputDim: 3, OutputDim: 2, activation, parameterisation, loss, skips, Seed: 0);

    public static double[] Weights(LayerShape layer)
    {
        double[] w = new double[layer.OutputDim * layer.InputDim];
        for (int r = 0; r < layer.OutputDim; r++)
        {
            for (int c = 0; c < layer.InputDim; c++)
            {
                w[(r * layer.InputDim) + c] = Math.Sin((1.3 * layer.Index) + (1.7 * r) + (2.9 * c));
            }
        }

        return w;
    }

    public static double[] Inputs()
    {
        double[] x = new double[Batch * 3];
        for (int i = 0; i < Batch; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                x[(i * 3) + c] = Math.Cos(1 + (2.1 * i) + (0.9 * c));
            }
        }

        return x;
    }

    public static double[] Targets() => [0, 1, 1, 0];

    /// <summary>The network on <paramref name="backend"/> with the golden weights and the batch clamped.</summary>
    public static PcNetwork Build(IPcBackend backend, NetworkOptions options)
    {
        var network = new PcNetwork(backend, options);
        foreach (LayerShape layer in network.Shape.Layers)
        {
            network.Layer(layer.Index).SetWeights(Weights(layer));
        }

        network.Clamp(Inputs(), Targets(), Batch);
        return network;
    }

    public static double[] Download(IPcBackend backend, Tensor tensor)
    {
        double[] values = new double[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}
