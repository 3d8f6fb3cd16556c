using Pcn.Abstractions.Options;
using Pcn.Network.Diagnostics;
using Pcn.Network.Structure;
using Pcn.Network.Tests.Support;

namespace Pcn.Network.Tests.Diagnostics;

/// <summary>The activity Hessian (spec §8) against the golden linear spectrum of spec §10.3 and second finite differences.</summary>
public sealed class ActivityHessianTests
{
    [Fact]
    public void LinearGoldenNetwork_HasTheSpecsSpectrum()
    {
        NetworkOptions options = GoldenNetwork.Options(Parameterisation.MuPc, Activation.Linear);
        var shape = new NetworkShape(options);
        double[][] weights = shape.Layers.Select(GoldenNetwork.Weights).ToArray();
        double[][] activities = Enumerable.Range(0, 4).Select(_ => new double[4]).ToArray();

        double[] hessian = ActivityHessian.Compute(shape, weights, GoldenNetwork.Inputs().AsSpan(0, 3), GoldenNetwork.Targets().AsSpan(0, 2), activities);
        (double condition, double smallest, double largest) = ActivityHessian.Condition(hessian, 16);

        AssertNear.Equal(4.66679, largest, 1e-5, what: "λ_max");
        AssertNear.Equal(0.0939833, smallest, 1e-7, what: "λ_min");
        AssertNear.Equal(49.66, condition, 0.01, what: "κ");
    }

    [Theory]
    [InlineData(Activation.Tanh, LossKind.Mse, true)]
    [InlineData(Activation.Gelu, LossKind.CrossEntropy, true)]
    [InlineData(Activation.Relu, LossKind.Mse, false)]
    [InlineData(Activation.Silu, LossKind.CrossEntropy, false)]
    public void Hessian_MatchesSecondFiniteDifferencesOfTheEnergy(Activation activation, LossKind loss, bool skips)
    {
        var options = new NetworkOptions(Depth: 3, Width: 4, InputDim: 3, OutputDim: 3, activation, Parameterisation.MuPc, loss, skips, Seed: 2);
        var shape = new NetworkShape(options);
        var random = new Random(9);
        double[] x = [0.3, -0.7, 0.5];
        double[] y = [0, 1, 0];
        double[][] weights = shape.Layers.Select(l => Enumerable.Range(0, l.OutputDim * l.InputDim).Select(_ => (2 * random.NextDouble()) - 1).ToArray()).ToArray();
        double[][] z = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 4).Select(_ => (2 * random.NextDouble()) - 1).ToArray()).ToArray();

        double[] analytic = ActivityHessian.Compute(shape, weights, x, y, z);

        const double H = 1e-4;
        double F() => EnergyOracle.Total(shape, weights, x, y, z, 1);
        for (int i = 0; i < 12; i++)
        {
            for (int j = 0; j < 12; j++)
            {
                double Shifted(double di, double dj)
                {
                    z[i / 4][i % 4] += di;
                    z[j / 4][j % 4] += dj;
                    double value = F();
                    z[i / 4][i % 4] -= di;
                    z[j / 4][j % 4] -= dj;
                    return value;
                }

                double numeric = (Shifted(H, H) - Shifted(H, -H) - Shifted(-H, H) + Shifted(-H, -H)) / (4 * H * H);
                AssertNear.Equal(numeric, analytic[(i * 12) + j], 2e-5, 1e-4, $"H[{i},{j}]");
            }
        }
    }

    [Fact]
    public void Eigenvalues_OfAKnownMatrix_AreExact()
    {
        // The tridiagonal matrix with 2 on the diagonal and −1 beside it has eigenvalues 2 − 2cos(kπ/(n+1)).
        const int N = 9;
        double[] m = new double[N * N];
        for (int i = 0; i < N; i++)
        {
            m[(i * N) + i] = 2;
            if (i > 0)
            {
                m[(i * N) + i - 1] = m[((i - 1) * N) + i] = -1;
            }
        }

        double[] eigenvalues = SymmetricEigenvalues.Compute(m, N);

        double[] expected = Enumerable.Range(1, N).Select(k => 2 - (2 * Math.Cos(k * Math.PI / (N + 1)))).Order().ToArray();
        AssertNear.All(expected, eigenvalues, 1e-12, what: "eigenvalues");
    }
}
