namespace Pcn.Abstractions.Messages;

/// <summary>The coordinator's order for one phase of one inference step.</summary>
/// <param name="Batch">The batch.</param>
/// <param name="Step">t, 0-based; T for the final error computation.</param>
/// <param name="BelowChanged">Whether z_{ℓ−1} moved since the layer last made its prediction.</param>
/// <param name="SendFeedback">Whether to send feedback down (not after the last step).</param>
/// <param name="StepSize">β/B, for the activity update.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.step")]
public sealed record StepCommand([property: Id(0)] int Batch, [property: Id(1)] int Step, [property: Id(2)] bool BelowChanged, [property: Id(3)] bool SendFeedback, [property: Id(4)] double StepSize);
