namespace Pcn.Abstractions.Messages;

/// <summary>
/// What layer ℓ+1 sends down after computing its error: the feedback <c>a_{ℓ+1}·d_{ℓ+1}·W_{ℓ+1}</c> (the receiver applies
/// its own φ′) and, when layer ℓ+1 has an identity skip, its error d_{ℓ+1} itself.
/// </summary>
/// <param name="Batch">The batch it belongs to.</param>
/// <param name="Step">The inference step (or −1 for backprop).</param>
/// <param name="Feedback">B × N_ℓ.</param>
/// <param name="Error">B × N_ℓ, or null when the sender has no skip.</param>
/// <param name="Generation">The building of the run's layers it was sent in (<see cref="LayerSetup.Generation"/>); 0 is accepted by any.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.feedback")]
public sealed record FeedbackMessage([property: Id(0)] int Batch, [property: Id(1)] int Step, [property: Id(2)] TensorPayload Feedback, [property: Id(3)] TensorPayload? Error, [property: Id(4)] int Generation = 0);
