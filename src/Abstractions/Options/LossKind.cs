namespace Pcn.Abstractions.Options;

/// <summary>The output energy term (spec §2).</summary>
[GenerateSerializer]
[Alias("pcn.loss")]
public enum LossKind
{
    /// <summary><c>E_L = ½‖y − ŷ‖²</c>.</summary>
    Mse,

    /// <summary><c>E_L = −Σ_k y_k·log_softmax(ŷ)_k</c>.</summary>
    CrossEntropy,
}
