using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Tests.Support;
using Pcn.Network.Training;
using Pcn.Tests.Shared;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// Spec §10.2 golden values (derived in float64 from the reference semantics): the reference backend must match them
/// to 1e-9; the float32 backends to <see cref="BackendFactory.Tolerance"/> (2e-5 absolute, plus 1e-4 relative for
/// weights after Adam, whose step is ±η·sign-like and so amplifies float rounding in tiny gradients).
/// </summary>
public sealed class GoldenValueTests
{
    private const double AdamRelative = 1e-4;

    [Theory]
    [MemberData(nameof(BackendFactory.AllBackends), MemberType = typeof(BackendFactory))]
    public void Feedforward_MatchesGoldenValues_ForMuPcRelu(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using PcNetwork network = GoldenNetwork.Build(backend, GoldenNetwork.Options(Parameterisation.MuPc));
        double tol = BackendFactory.Tolerance(backendName);
        network.Feedforward();
        double[] z1 = GoldenNetwork.Download(backend, network.Layer(1).Activity);
        double[] z4 = GoldenNetwork.Download(backend, network.Layer(4).Activity);
        double[] yHat = GoldenNetwork.Download(backend, network.Layer(5).Prediction);
        AssertNear.All([0.066703094161, -0.204384394641, -0.0140354862223, 0.20800118489], z1.AsSpan(0, 4), tol, what: "z_1 sample 0");
        AssertNear.All([0.0515685472369, -0.156822825107, -0.011157032047, 0.159697869411], z4.AsSpan(0, 4), tol, what: "z_4 sample 0");
        AssertNear.All([0.0221925648904, -0.0249667542758, -0.00602155912968, -0.00449965291649], yHat, tol, what: "ŷ");
    }

    [Theory]
    [MemberData(nameof(BackendFactory.AllBackends), MemberType = typeof(BackendFactory))]
    public void Training_MatchesGoldenValues_ForCaseAMuPcRelu(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using PcNetwork network = GoldenNetwork.Build(backend, GoldenNetwork.Options(Parameterisation.MuPc));
        double tol = BackendFactory.Tolerance(backendName);
        double[] steps = new double[4];
        double[] layers = new double[5];

        double loss = network.TrainPc(4, 0.5, new TrainingOptions(LearningRate: 0.1), steps, layers);

        AssertNear.Equal(0.515787245404, loss, tol, what: "feedforward energy");
        AssertNear.All([0.515787245404, 0.502893739738, 0.494995741288, 0.489167918933], steps, tol, what: "step energies");
        AssertNear.All([2.89956871107e-07, 2.71877583518e-05, 0.000910014115075, 0.007802385511, 0.476756988404], layers, tol, what: "layer energies");
        AssertNear.Equal(0.485496865745, layers.Sum(), tol, what: "total energy");

        double[] z1 = GoldenNetwork.Download(backend, network.Layer(1).Activity);
        double[] z4 = GoldenNetwork.Download(backend, network.Layer(4).Activity);
        AssertNear.All([0.0673478032014, -0.204384394641, -0.0143702702129, 0.207282015371], z1.AsSpan(0, 4), tol, what: "z_1 after inference");
        AssertNear.All([0.216264455534, -0.155754853994, -0.00952689720427, -0.0086852502299], z4.AsSpan(0, 4), tol, what: "z_4 after inference");

        double[] g1 = GoldenNetwork.Download(backend, network.Layer(1).Gradient);
        double[] g3 = GoldenNetwork.Download(backend, network.Layer(3).Gradient);
        double[] g5 = GoldenNetwork.Download(backend, network.Layer(5).Gradient);
        AssertNear.All([-0.000100556455847, 6.01678962001e-05, 0.000175358383943], g1.AsSpan(0, 3), tol * 1e-2, what: "dF/dW_1 row 0");
        AssertNear.All([-0.000195289779111, 1.36267015993e-05, -7.72518676898e-05, -0.0009630811848], g3.AsSpan(0, 4), tol * 1e-2, what: "dF/dW_3 row 0");
        AssertNear.All([0.000314413423344, -0.0154752173035, -0.00691477968501, 0, -0.0256581111852, -0.000262841886774, -0.00011744544218, 0], g5, tol * 1e-1, what: "dF/dW_5");

        double[] w5 = GoldenNetwork.Download(backend, network.Layer(5).Weights);
        double[] w1 = GoldenNetwork.Download(backend, network.Layer(1).Weights);
        double adamRel = backendName == "reference" ? 0 : AdamRelative;
        AssertNear.All([0.115123168512, 0.124775360834, -0.163231935983, 0.486398688854, 1.04073051771, -0.894556392628, 1.09059884183, -0.929124012734], w5, tol, adamRel, "W_5 after Adam");
        AssertNear.All([1.06354824174, -0.971559155016, 0.628974742408], w1.AsSpan(0, 3), tol, adamRel, "W_1 row 0 after Adam");

        float[] prediction = new float[4];
        network.Predict(prediction);
        AssertNear.All([0.0137182630203, 0.0221364756085, 0.00929007560434, -0.0666036664956], prediction.Select(v => (double)v).ToArray(), Math.Max(tol, 1e-6), adamRel * 10, "prediction after update");
        if (backendName == "reference")
        {
            double[] exact = GoldenNetwork.Download(backend, network.Layer(5).Prediction);
            AssertNear.All([0.0137182630203, 0.0221364756085, 0.00929007560434, -0.0666036664956], exact, tol, what: "prediction after update (double)");
        }
    }

    [Theory]
    [MemberData(nameof(BackendFactory.AllBackends), MemberType = typeof(BackendFactory))]
    public void Training_MatchesGoldenValues_ForCaseBStandardPc(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using PcNetwork network = GoldenNetwork.Build(backend, GoldenNetwork.Options(Parameterisation.Sp));
        double tol = BackendFactory.Tolerance(backendName);
        double[] steps = new double[4];
        double[] layers = new double[5];

        network.Feedforward();
        double[] ff = GoldenNetwork.Download(backend, network.Layer(5).Prediction);
        AssertNear.All([-0.0352894626105, 0.252993619105, 0.0187872616623, -0.140797110773], ff, tol, what: "feedforward ŷ");

        double loss = network.TrainPc(4, 0.1, new TrainingOptions(LearningRate: 0.01), steps, layers);

        AssertNear.Equal(0.385466535887, loss, tol, what: "feedforward energy");
        AssertNear.All([0.385466535887, 0.359517755144, 0.340298381117, 0.325481731351], steps, tol, what: "step energies");
        AssertNear.All([4.84544522789e-11, 1.41014141271e-07, 0.000129702913572, 0.00384410675543, 0.309854739262], layers, tol, what: "layer energies");
        AssertNear.Equal(0.313828689994, layers.Sum(), tol, what: "total energy");
        double[] g5 = GoldenNetwork.Download(backend, network.Layer(5).Gradient);
        AssertNear.All([-0.0593855279568, -0.0903320160068, -0.0295244678667, -0.00156906250342, -0.00429733703633, -0.00653672925557, -0.132308801085, -0.00703148248398], g5, tol, what: "dF/dW_5");

        double[] prediction = new double[4];
        network.Feedforward();
        backend.Download(network.Layer(5).Prediction, prediction);
        double adamRel = backendName == "reference" ? 0 : AdamRelative;
        AssertNear.All([-0.0635911517819, 0.386722420268, 0.0492510498138, -0.0656043875009], prediction, tol, adamRel * 10, "prediction after update");
    }
}
