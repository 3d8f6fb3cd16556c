using Pcn.GpuKernels.Backends;

namespace Pcn.Grains.Exchange;

/// <summary>
/// A neighbour's message as it waits in an inbox: the tensors themselves, by reference (the sender's double-buffered
/// tensors inside a silo, or the receiver's own copy of a message from another silo).
/// </summary>
/// <param name="Batch">The batch (negative for an evaluation's test batches).</param>
/// <param name="Step">The inference step (the test batch's index during an evaluation).</param>
/// <param name="Tensor">z from below, or the feedback from above.</param>
/// <param name="Error">The error of the layer above when it has an identity skip; otherwise null.</param>
/// <param name="Generation">The building of the run's layers it was sent in; 0 is accepted by any inbox.</param>
internal readonly record struct NeighbourMessage(int Batch, int Step, Tensor Tensor, Tensor? Error, int Generation = 0);
