namespace Pcn.Abstractions.Messages;

/// <summary>What a layer grain needs to build its layer: the run's network and its own index.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Network">The whole network's options (shape, multipliers, seed).</param>
/// <param name="Layer">ℓ, 1-based.</param>
/// <param name="Restore">The layer's file in the checkpoint to resume from (weights and Adam state), if any.</param>
/// <param name="InitFrom">An exported network whose W_ℓ replaces the seed's initial weights (restoring, it is still the
/// W_ℓ(0) that the layer's learning signal compares with).</param>
/// <param name="Generation">
/// Which building of the run's layers this is (a new number each time the coordinator builds them, for a start or a
/// resume): neighbour messages carry it, and a layer drops those of an earlier building still in flight.
/// </param>
/// <param name="Trained">False for a layer that --train-layers freezes: it skips its weight updates.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.layer-setup")]
public sealed record LayerSetup([property: Id(0)] string RunId, [property: Id(1)] Options.NetworkOptions Network, [property: Id(2)] int Layer, [property: Id(3)] CheckpointPart? Restore = null, [property: Id(4)] string? InitFrom = null, [property: Id(5)] int Generation = 0, [property: Id(6)] bool Trained = true);
