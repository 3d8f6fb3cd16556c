namespace Pcn.Abstractions.Messages;

/// <summary>What a layer reports to the coordinator once per training batch.</summary>
/// <param name="Layer">ℓ, 1-based.</param>
/// <param name="Batch">The batch.</param>
/// <param name="StepEnergies">
/// PC: the layer's energy summed over the batch (E_ℓ·B) at each step t = 0..T, before that step's update (t = T:
/// after inference). BP: the output layer's loss term at the forward pass; empty for the other layers.
/// </param>
/// <param name="LocalMessages">Neighbour messages it sent through its silo's exchange this batch.</param>
/// <param name="RemoteMessages">Neighbour messages it sent as Orleans messages (to another silo) this batch.</param>
/// <param name="Failure">Why the layer could not finish the batch (a message for the wrong batch or step, …); null when it did.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.layer-report")]
public sealed record LayerReport(
    [property: Id(0)] int Layer,
    [property: Id(1)] int Batch,
    [property: Id(2)] double[] StepEnergies,
    [property: Id(3)] int LocalMessages,
    [property: Id(4)] int RemoteMessages,
    [property: Id(5)] string? Failure);
