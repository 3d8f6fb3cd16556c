using System.Globalization;
using System.Text.RegularExpressions;

namespace Pcn.Client.Tests;

/// <summary>
/// `pcn diagnose --toy` against the toy reference values of spec §8 (N = 128, L = 16, in/out dimension 1,
/// x ~ N(1, 0.1²), y = x, at feedforward init). The reference drew its weights and sample with JAX's generator, so the
/// values can only agree in size: within a factor of 1.5.
/// </summary>
public sealed partial class DiagnoseTests
{
    [Theory]
    [InlineData("mupc", true, "linear", 1918)]
    [InlineData("sp", false, "linear", 42.1)]
    [InlineData("sp", false, "relu", 15.8)]
    public async Task ToyConditionNumber_IsOfTheReferencesSize(string param, bool skips, string activation, double reference)
    {
        string[] args = ["diagnose", "--toy", "--param", param, "--activation", activation, .. skips ? Array.Empty<string>() : ["--no-skips"]];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Match kappa = Kappa().Match(output);
        Assert.True(kappa.Success, output);
        double value = double.Parse(kappa.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(value, reference / 1.5, reference * 1.5);
        Assert.Contains("1920×1920", output);
        Assert.Equal(16, LayerRows().Count(output));
    }

    [Fact]
    public async Task Diagnose_RefusesAHessianTooLargeToSolve()
    {
        (int code, _, string error) = await Processes.RunAsync(Processes.Pcn, ["diagnose", "--depth", "128", "--width", "512"], TimeSpan.FromMinutes(1));

        Assert.Equal(2, code);
        Assert.Contains("N·H = 65536", error);
    }

    [Fact]
    public async Task Reach_PredictsWhichLayersOneFloat32BatchUpdates()
    {
        // µPC, H = 8 at the defaults (β = 0.5, B = 64, T = H): the lower layers' moves are far below a float32 ulp.
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["diagnose", "--reach", "--depth", "8", "--activation", "relu"], TimeSpan.FromMinutes(2));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("; as predicted", output, StringComparison.Ordinal);
        Assert.Matches(@"predicted: weight layers [2-8]–9 receive a non-zero update(; [0-9–, ]+ borderline \(within 100× of half a float32 ulp\))?; 1(–[1-7])? cannot", output);
        Assert.Equal(9, LayerRows().Count(output));
    }

    [Fact]
    public async Task Reach_OfABatchThatDiverges_SaysSo_AndExitsAsADivergedRun()
    {
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["diagnose", "--reach", "--toy", "--depth", "4", "--width", "8", "--param", "sp", "--beta", "1e6", "--batch-size", "4"], TimeSpan.FromMinutes(1));

        Assert.True(code == 3, $"exit {code}: {output}{error}");
        Assert.Contains("the float32 batch diverged (Diverged: the energy of layer ", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [GeneratedRegex(@"κ = ([0-9.eE+\-]+),")]
    private static partial Regex Kappa();

    [GeneratedRegex(@"(?m)^\s+\d+\s{2}")]
    private static partial Regex LayerRows();
}
