namespace Pcn.Abstractions.Messages;

/// <summary>One layer's file of a checkpoint, as the layer wrote it and the checkpoint's manifest records it.</summary>
/// <param name="Layer">ℓ.</param>
/// <param name="Path">The file (layer-NNN.npz in the checkpoint's directory).</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, hex, checked when the layer is restored.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.checkpoint-part")]
public sealed record CheckpointPart([property: Id(0)] int Layer, [property: Id(1)] string Path, [property: Id(2)] long Bytes, [property: Id(3)] string Sha256);
