namespace Pcn.Abstractions.Messages;

/// <summary>
/// How much one weight layer has learned so far: its relative change from initialisation ‖W_ℓ − W_ℓ(0)‖ / ‖W_ℓ(0)‖
/// (in double, from the float32 weights; exactly 0 for a layer that never moved) and the number of batches whose update
/// ΔW_ℓ was non-zero.
/// </summary>
/// <param name="RelativeChange">‖W_ℓ − W_ℓ(0)‖ / ‖W_ℓ(0)‖.</param>
/// <param name="UpdatedBatches">Batches whose update of W_ℓ was non-zero.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.layer-learning")]
public readonly record struct LayerLearning(
    [property: Id(0)] double RelativeChange,
    [property: Id(1)] int UpdatedBatches);
