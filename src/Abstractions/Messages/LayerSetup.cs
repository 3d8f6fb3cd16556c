namespace Pcn.Abstractions.Messages;

/// <summary>What a layer grain needs to build its layer: the run's network and its own index.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Network">The whole network's options (shape, multipliers, seed).</param>
/// <param name="Layer">ℓ, 1-based.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.layer-setup")]
public sealed record LayerSetup([property: Id(0)] string RunId, [property: Id(1)] Options.NetworkOptions Network, [property: Id(2)] int Layer);
