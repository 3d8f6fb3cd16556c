namespace Pcn.Abstractions.Options;

/// <summary>The nonlinearity φ applied to a layer's input before its weight matrix (spec §1.1).</summary>
[GenerateSerializer]
[Alias("pcn.activation")]
public enum Activation
{
    /// <summary><c>φ(x) = x</c>.</summary>
    Linear,

    /// <summary><c>φ(x) = tanh x</c>.</summary>
    Tanh,

    /// <summary><c>φ(x) = clip(x, −1, 1)</c>; slope 1 strictly inside, 0 outside.</summary>
    HardTanh,

    /// <summary><c>φ(x) = max(x, 0)</c>; slope 0 at 0, as jax.nn.relu.</summary>
    Relu,

    /// <summary><c>φ(x) = x</c> for x ≥ 0, <c>0.01·x</c> otherwise (jax.nn.leaky_relu default slope).</summary>
    LeakyRelu,

    /// <summary>The tanh approximation of GELU, jax.nn.gelu's default: <c>½x(1 + tanh(√(2/π)(x + 0.044715x³)))</c>.</summary>
    Gelu,

    /// <summary><c>φ(x) = λx</c> for x &gt; 0, <c>λα(eˣ − 1)</c> otherwise (λ ≈ 1.0507, α ≈ 1.6733).</summary>
    Selu,

    /// <summary><c>φ(x) = x·σ(x)</c>.</summary>
    Silu,
}
