namespace Pcn.Abstractions.Messages;

/// <summary>
/// The coordinator's order to a layer to train one batch by itself: for PC, the feedforward pass and then T inference
/// steps, each taken as soon as the neighbours' messages for that step are in the layer's inbox; for BP, the forward
/// chain and then the backward chain. The layer answers once, with a <see cref="LayerReport"/>.
/// </summary>
/// <param name="Batch">The batch (1-based count of batches started by the run); neighbour messages carry it.</param>
/// <param name="Algorithm">PC inference learning or backprop.</param>
/// <param name="Steps">T, the inference steps (PC).</param>
/// <param name="StepSize">β/B, the step of the activity update (PC).</param>
/// <param name="Commit">
/// The weight update of the previous batch, applied before this batch starts (the coordinator commits a batch only
/// after checking it did not diverge); null when there is none to apply.
/// </param>
/// <param name="Clamp">x (B × D) for layer 1, the one-hot y (B × d_y) for the output layer, null for the others.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.batch-command")]
public sealed record BatchCommand(
    [property: Id(0)] int Batch,
    [property: Id(1)] Options.Algorithm Algorithm,
    [property: Id(2)] int Steps,
    [property: Id(3)] double StepSize,
    [property: Id(4)] WeightUpdate? Commit,
    [property: Id(5)] TensorPayload? Clamp);
