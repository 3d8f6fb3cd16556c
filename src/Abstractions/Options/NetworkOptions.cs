using System.Globalization;

namespace Pcn.Abstractions.Options;

/// <summary>
/// The residual network of spec §1: H hidden layers of width N between an input of D features and d_y outputs,
/// so L = H + 1 weight matrices. Skips are the identity residuals on layers 2..L−1.
/// </summary>
/// <param name="Depth">H, the number of hidden layers (≥ 1).</param>
/// <param name="Width">N, the width of every hidden layer (≥ 1).</param>
/// <param name="InputDim">D, the input features (784 for Fashion-MNIST).</param>
/// <param name="OutputDim">d_y, the number of outputs (10 classes).</param>
/// <param name="Activation">φ, applied before every weight matrix but the first.</param>
/// <param name="Parameterisation">sp, mupc, or depth_mup (the BP baseline).</param>
/// <param name="Loss">The output energy term.</param>
/// <param name="Skips">Identity residuals on layers 2..L−1 (the paper's networks all have them).</param>
/// <param name="Seed">The seed of the weight generator; the same seed gives the same weights on every backend and machine.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.network-options")]
public sealed record NetworkOptions(
    [property: Id(0)] int Depth,
    [property: Id(1)] int Width,
    [property: Id(2)] int InputDim = 784,
    [property: Id(3)] int OutputDim = 10,
    [property: Id(4)] Activation Activation = Activation.Relu,
    [property: Id(5)] Parameterisation Parameterisation = Parameterisation.MuPc,
    [property: Id(6)] LossKind Loss = LossKind.Mse,
    [property: Id(7)] bool Skips = true,
    [property: Id(8)] ulong Seed = 0)
{
    /// <summary>Upper bound on H and N; larger nets do not fit a sensible memory budget.</summary>
    public const int MaxDimension = 1 << 16;

    /// <summary>L = H + 1, the number of weight matrices.</summary>
    public int LayerCount => Depth + 1;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public NetworkOptions Validate()
    {
        RequireRange("--depth", Depth, 1, MaxDimension);
        RequireRange("--width", Width, 1, MaxDimension);
        RequireRange("--input-dim", InputDim, 1, 1 << 24);
        RequireRange("--output-dim", OutputDim, 1, MaxDimension);
        RequireDefined("--activation", Activation);
        RequireDefined("--param", Parameterisation);
        RequireDefined("--loss", Loss);
        return this;
    }

    internal static void RequireRange(string option, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            throw new InvalidOptionException(option, value.ToString(CultureInfo.InvariantCulture), $"must be an integer in [{min}, {max}]");
        }
    }

    internal static void RequireDefined<T>(string option, T value)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new InvalidOptionException(option, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "?", "allowed values are " + string.Join(", ", Enum.GetNames<T>()));
        }
    }
}
