namespace Pcn.Network.Training;

/// <summary>An energy or loss became non-finite; names the layer and the inference step where it was first seen.</summary>
public sealed class DivergenceException : Exception
{
    /// <summary>Creates the exception for layer <paramref name="layer"/> (1-based) at inference step <paramref name="step"/>.</summary>
    public DivergenceException(int layer, int step, double value, string phase)
        : base($"Diverged: the energy of layer {layer} is {value} at {phase} (inference step {step}).")
    {
        Layer = layer;
        Step = step;
        Value = value;
    }

    /// <summary>ℓ, 1-based.</summary>
    public int Layer { get; }

    /// <summary>The inference step (0-based; T means after the last step; −1 for backprop's forward pass).</summary>
    public int Step { get; }

    /// <summary>The non-finite value.</summary>
    public double Value { get; }
}
