using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Tests.Support;
using Pcn.Network.Training;
using Pcn.Tests.Shared;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// Spec §10.3: for the golden network with φ = identity (µPC, skips), gradient-descent inference converges to the
/// analytical equilibrium z* = H_z⁻¹b with energy F* = 0.360159933528 (also given by the S formula).
/// </summary>
public sealed class LinearEquilibriumTests
{
    private const double FeedforwardEnergy = 0.503430343027;
    private const double EquilibriumEnergy = 0.360159933528;
    private static readonly double[] EquilibriumZ1 = [0.19965657387, -0.33946937621, 0.115334765756, 0.0918599614872];

    [Fact]
    public void GradientDescentInference_ReachesAnalyticalEquilibrium_OnReference()
    {
        using IPcBackend backend = BackendFactory.Create("reference");
        using PcNetwork network = GoldenNetwork.Build(backend, GoldenNetwork.Options(Parameterisation.MuPc, Activation.Linear));
        network.Feedforward();
        double[] layers = new double[5];

        double ffEnergy = network.Infer(3000, 0.4, [], layers);

        AssertNear.Equal(FeedforwardEnergy, ffEnergy, 1e-11, what: "feedforward energy");
        AssertNear.Equal(EquilibriumEnergy, layers.Sum(), 1e-11, what: "F*");
        double[] z1 = GoldenNetwork.Download(backend, network.Layer(1).Activity);
        AssertNear.All(EquilibriumZ1, z1.AsSpan(0, 4), 1e-10, what: "z*_1 sample 0");
    }

    [Theory]
    [MemberData(nameof(BackendFactory.FloatBackends), MemberType = typeof(BackendFactory))]
    public void GradientDescentInference_ReachesAnalyticalEquilibrium_InFloat32(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using PcNetwork network = GoldenNetwork.Build(backend, GoldenNetwork.Options(Parameterisation.MuPc, Activation.Linear));
        network.Feedforward();
        double[] layers = new double[5];
        // ILGPU's CPU accelerator is slow per launch: fewer, larger steps (β/B·λ_max = 0.4·4.67 < 2 stays stable).
        int steps = backendName == "cpu" ? 3000 : 600;

        network.Infer(steps, backendName == "cpu" ? 0.4 : 0.8, [], layers);

        AssertNear.Equal(EquilibriumEnergy, layers.Sum(), 1e-6, what: "F*");
        double[] z1 = GoldenNetwork.Download(backend, network.Layer(1).Activity);
        AssertNear.All(EquilibriumZ1, z1.AsSpan(0, 4), 1e-5, what: "z*_1 sample 0");
    }
}
