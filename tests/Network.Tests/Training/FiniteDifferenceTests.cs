using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Layers;
using Pcn.Network.Structure;
using Pcn.Network.Tests.Support;
using Pcn.Network.Training;
using Pcn.Tests.Shared;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// The analytical gradients of spec §2.1, as the layers compute them (reference backend, double), against central
/// finite differences of <see cref="EnergyOracle"/>, for every activation, both losses, skips on and off, sp and mupc.
/// Activities are random (not the feedforward values), so every hidden error is nonzero.
/// </summary>
public sealed class FiniteDifferenceTests
{
    private const double H = 1e-6;
    private const double Tolerance = 1e-7;
    private const int Batch = 3;

    public static TheoryData<Activation, LossKind, bool, Parameterisation> Cases()
    {
        var data = new TheoryData<Activation, LossKind, bool, Parameterisation>();
        foreach (Activation activation in Enum.GetValues<Activation>())
        {
            foreach (LossKind loss in Enum.GetValues<LossKind>())
            {
                foreach (bool skips in new[] { true, false })
                {
                    foreach (Parameterisation p in new[] { Parameterisation.Sp, Parameterisation.MuPc })
                    {
                        data.Add(activation, loss, skips, p);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_MatchCentralFiniteDifferences(Activation activation, LossKind loss, bool skips, Parameterisation parameterisation)
    {
        var options = new NetworkOptions(Depth: 3, Width: 5, InputDim: 4, OutputDim: 3, activation, parameterisation, loss, skips, Seed: 7);
        using IPcBackend backend = BackendFactory.Create("reference");
        using var network = new PcNetwork(backend, options);
        NetworkShape shape = network.Shape;
        var random = new Random(1234);
        double[] x = Random(random, Batch * options.InputDim, 1.0);
        double[] y = new double[Batch * options.OutputDim];
        for (int i = 0; i < Batch; i++)
        {
            y[(i * options.OutputDim) + (i % options.OutputDim)] = 1.0;
        }

        double[][] weights = shape.Layers.Select(l => Random(random, l.OutputDim * l.InputDim, 0.8)).ToArray();
        double[][] activities = shape.Layers.Where(l => !l.IsOutput).Select(l => Random(random, Batch * l.OutputDim, 0.7)).ToArray();
        foreach (LayerShape layer in shape.Layers)
        {
            network.Layer(layer.Index).SetWeights(weights[layer.Index - 1]);
        }

        network.Clamp(x, y, Batch);
        network.Feedforward();
        for (int l = 1; l < shape.LayerCount; l++)
        {
            backend.Upload(activities[l - 1], network.Layer(l).Activity);
        }

        double[] energies = new double[shape.LayerCount];
        network.Energies(energies);
        AssertNear.Equal(EnergyOracle.Total(shape, weights, x, y, activities, Batch), energies.Sum(), 1e-12, what: "F");

        // ∂F/∂z_ℓ: one step of size 1/B moves z by exactly −∂F/∂z (spec §2.1 carries the 1/B).
        for (int l = 2; l <= shape.LayerCount; l++)
        {
            network.Layer(l).ComputeFeedback();
        }

        for (int l = 1; l < shape.LayerCount; l++)
        {
            PcLayer layer = network.Layer(l), above = network.Layer(l + 1);
            double[] before = GoldenNetwork.Download(backend, layer.Activity);
            layer.UpdateActivity(1.0 / Batch, above.Feedback, above.Shape.HasSkip ? above.Error : null);
            double[] after = GoldenNetwork.Download(backend, layer.Activity);
            backend.Upload(before, layer.Activity);
            for (int k = 0; k < before.Length; k++)
            {
                double analytic = before[k] - after[k];
                double numeric = Central(v => { activities[l - 1][k] = v; return EnergyOracle.Total(shape, weights, x, y, activities, Batch); }, activities[l - 1][k]);
                AssertNear.Equal(numeric, analytic, Tolerance, 1e-6, $"∂F/∂z_{l}[{k}]");
            }
        }

        // ∂F/∂W_ℓ = −(a_ℓ/B)·dᵀu at the same activities.
        network.Energies(energies);
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            PcLayer layer = network.Layer(l);
            backend.WeightGradient(-layer.Shape.Scale / Batch, layer.Error, layer.Input, layer.Gradient);
            double[] analytic = GoldenNetwork.Download(backend, layer.Gradient);
            for (int k = 0; k < analytic.Length; k++)
            {
                double numeric = Central(v => { weights[l - 1][k] = v; return EnergyOracle.Total(shape, weights, x, y, activities, Batch); }, weights[l - 1][k]);
                AssertNear.Equal(numeric, analytic[k], Tolerance, 1e-6, $"∂F/∂W_{l}[{k}]");
            }
        }
    }

    private static double Central(Func<double, double> f, double at)
    {
        double plus = f(at + H), minus = f(at - H);
        f(at);
        return (plus - minus) / (2 * H);
    }

    private static double[] Random(Random random, int length, double scale) =>
        Enumerable.Range(0, length).Select(_ => scale * ((2 * random.NextDouble()) - 1)).ToArray();
}
