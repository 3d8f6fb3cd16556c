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

    [GeneratedRegex(@"κ = ([0-9.eE+\-]+),")]
    private static partial Regex Kappa();

    [GeneratedRegex(@"(?m)^\s+\d+\s{2}")]
    private static partial Regex LayerRows();
}
