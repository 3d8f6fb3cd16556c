namespace Pcn.Grains.Placement;

/// <summary>
/// Puts the layers of a run in contiguous blocks, one block per silo: with L layers and S compatible silos, layer ℓ
/// goes to silo ⌊(ℓ−1)·S/L⌋ in address order. Most neighbour messages then stay inside a silo, and every silo gets
/// a share of the layers.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("pcn.contiguous-block-placement")]
internal sealed class ContiguousBlockPlacement : PlacementStrategy
{
    /// <summary>The one instance.</summary>
    public static ContiguousBlockPlacement Instance { get; } = new();
}
