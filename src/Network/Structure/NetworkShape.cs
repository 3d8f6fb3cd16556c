using Pcn.Abstractions.Options;

namespace Pcn.Network.Structure;

/// <summary>
/// The layers of a network and their multipliers (spec §1.2):
/// <list type="table">
/// <item><term>sp</term><description>a_ℓ = 1 for every layer.</description></item>
/// <item><term>mupc, depth_mup</term><description>a_1 = 1/√D; a_ℓ = 1/√(N·L) with skips, 1/√N without (2 ≤ ℓ ≤ L−1); a_L = 1/N.</description></item>
/// </list>
/// Without skips µPC uses 1/√N, the reference's current semantics (before jpc commit 13010a9 it silently used 1/√(N·L)).
/// </summary>
public sealed class NetworkShape
{
    private readonly LayerShape[] _layers;

    /// <summary>Validates the options and derives every layer.</summary>
    public NetworkShape(NetworkOptions options)
    {
        Options = options.Validate();
        int l = options.LayerCount, n = options.Width;
        _layers = new LayerShape[l];
        for (int index = 1; index <= l; index++)
        {
            bool output = index == l;
            int inputDim = index == 1 ? options.InputDim : n;
            int outputDim = output ? options.OutputDim : n;
            bool skip = options.Skips && index >= 2 && index <= l - 1;
            _layers[index - 1] = new LayerShape(index, inputDim, outputDim, Multiplier(options, index), skip, output);
        }
    }

    /// <summary>The options this shape was derived from.</summary>
    public NetworkOptions Options { get; }

    /// <summary>L, the number of weight layers (H + 1).</summary>
    public int LayerCount => _layers.Length;

    /// <summary>All layers, ℓ = 1..L in order.</summary>
    public IReadOnlyList<LayerShape> Layers => _layers;

    /// <summary>Layer ℓ (1-based).</summary>
    public LayerShape this[int index] => _layers[index - 1];

    /// <summary>a_ℓ for layer <paramref name="index"/> (1-based) of a network with these options.</summary>
    public static double Multiplier(NetworkOptions options, int index)
    {
        if (options.Parameterisation == Parameterisation.Sp)
        {
            return 1.0;
        }

        int l = options.LayerCount;
        if (index == 1)
        {
            return 1.0 / Math.Sqrt(options.InputDim);
        }

        if (index == l)
        {
            return 1.0 / options.Width;
        }

        return options.Skips ? 1.0 / Math.Sqrt((double)options.Width * l) : 1.0 / Math.Sqrt(options.Width);
    }
}
