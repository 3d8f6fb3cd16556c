using System.Globalization;

namespace Pcn.Abstractions.Options;

/// <summary>
/// The lower-case names users type for enum options (the reference's spellings: <c>leaky_relu</c>, <c>mupc</c>, <c>ce</c>),
/// and their parsing with errors that list what is allowed.
/// </summary>
public static class OptionNames
{
    private static readonly (string Name, Activation Value)[] Activations =
    [
        ("linear", Activation.Linear), ("tanh", Activation.Tanh), ("hard_tanh", Activation.HardTanh),
        ("relu", Activation.Relu), ("leaky_relu", Activation.LeakyRelu), ("gelu", Activation.Gelu),
        ("selu", Activation.Selu), ("silu", Activation.Silu),
    ];

    private static readonly (string Name, Parameterisation Value)[] Parameterisations =
    [
        ("sp", Parameterisation.Sp), ("mupc", Parameterisation.MuPc), ("depth_mup", Parameterisation.DepthMuP),
    ];

    private static readonly (string Name, LossKind Value)[] Losses = [("mse", LossKind.Mse), ("ce", LossKind.CrossEntropy)];

    private static readonly (string Name, Algorithm Value)[] Algorithms = [("pc", Algorithm.Pc), ("bp", Algorithm.Bp)];

    /// <summary>Parses an activation name such as <c>relu</c> or <c>leaky_relu</c>.</summary>
    public static Activation ParseActivation(string text, string option = "--activation") => Parse(Activations, text, option);

    /// <summary>Parses <c>sp</c>, <c>mupc</c> or <c>depth_mup</c>.</summary>
    public static Parameterisation ParseParameterisation(string text, string option = "--param") => Parse(Parameterisations, text, option);

    /// <summary>Parses <c>mse</c> or <c>ce</c>.</summary>
    public static LossKind ParseLoss(string text, string option = "--loss") => Parse(Losses, text, option);

    /// <summary>Parses <c>pc</c> or <c>bp</c>.</summary>
    public static Algorithm ParseAlgorithm(string text, string option = "--algorithm") => Parse(Algorithms, text, option);

    /// <summary>The user-facing name of an activation.</summary>
    public static string Name(Activation value) => NameOf(Activations, value);

    /// <summary>The user-facing name of a parameterisation.</summary>
    public static string Name(Parameterisation value) => NameOf(Parameterisations, value);

    /// <summary>The user-facing name of a loss.</summary>
    public static string Name(LossKind value) => NameOf(Losses, value);

    /// <summary>The user-facing name of an algorithm.</summary>
    public static string Name(Algorithm value) => NameOf(Algorithms, value);

    private static T Parse<T>((string Name, T Value)[] table, string text, string option)
        where T : struct, Enum
    {
        string key = text.Trim().ToLowerInvariant().Replace('-', '_');
        foreach ((string name, T value) in table)
        {
            if (name == key)
            {
                return value;
            }
        }

        throw new InvalidOptionException(option, $"'{text}'", "allowed values are " + string.Join(", ", table.Select(e => e.Name)));
    }

    private static string NameOf<T>((string Name, T Value)[] table, T value)
        where T : struct, Enum
    {
        foreach ((string name, T v) in table)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), Convert.ToString(value, CultureInfo.InvariantCulture), "Unknown value.");
    }
}
