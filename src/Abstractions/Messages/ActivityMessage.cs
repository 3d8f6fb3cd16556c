namespace Pcn.Abstractions.Messages;

/// <summary>z_{ℓ−1} sent up by layer ℓ−1 after the feedforward pass or an inference step.</summary>
/// <param name="Batch">The batch it belongs to (1-based count of batches started by the run).</param>
/// <param name="Step">The inference step that produced it (−1 for the feedforward pass).</param>
/// <param name="Activity">B × N_{ℓ−1}.</param>
/// <param name="Generation">The building of the run's layers it was sent in (<see cref="LayerSetup.Generation"/>); 0 is accepted by any.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.activity")]
public sealed record ActivityMessage([property: Id(0)] int Batch, [property: Id(1)] int Step, [property: Id(2)] TensorPayload Activity, [property: Id(3)] int Generation = 0);
