using Orleans.Concurrency;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>
/// One network layer ℓ of one run, keyed "{run}/{ℓ}/{L}" (see <see cref="LayerKeys"/>). It owns W_ℓ, the Adam
/// moments, z_ℓ and ε_ℓ, and an inbox for its two neighbours' messages. The coordinator starts each batch; the layer
/// then runs the batch's steps itself, exchanging messages only with layers ℓ−1 and ℓ+1 (through its silo's
/// neighbour exchange when they share a silo, as Orleans one-way messages when not), and reports once at the end.
/// </summary>
public interface ILayerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Builds the layer: its initial weights from the network's seed (or an exported network), or its whole state from
    /// a checkpoint. A layer that is still in a pass (its run is resuming after a failure) stops it first.
    /// </summary>
    Task InitializeAsync(LayerSetup setup);

    /// <summary>
    /// Writes W_ℓ, Adam's moments and step count to layer-NNN.npz in <paramref name="directory"/> (flushed, renamed
    /// into place); only between batches, after the last update is committed.
    /// </summary>
    Task<CheckpointPart> SaveCheckpointAsync(string directory);

    /// <summary>
    /// Applies the previous batch's weight update if the command carries one, clamps x or y, and starts the batch; it
    /// returns at once and the layer reports to the coordinator when its part of the batch is done.
    /// </summary>
    Task BeginBatchAsync(BatchCommand command);

    /// <summary>Starts the feedforward passes of an evaluation's test batches (they flow up the chain by themselves).</summary>
    Task BeginEvaluationAsync(EvaluationCommand command);

    /// <summary>Applies the weight update of the last batch: the gradient at its final errors and one Adam step.</summary>
    Task CommitAsync(WeightUpdate update);

    /// <summary>
    /// Ends a batch or evaluation the run has given up on (another layer failed): the layer stops waiting. Interleaved:
    /// it only marks the inbox, and must get through whatever the layer is doing.
    /// </summary>
    [AlwaysInterleave]
    Task AbortAsync(string reason);

    /// <summary>
    /// Whether this activation has started pass <paramref name="pass"/> (a batch, or an evaluation's negative id): the
    /// coordinator's check, while it waits long for a report, that the layer is still the one it started (a layer
    /// whose silo died comes back as a fresh activation that has started nothing).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> HasStartedAsync(int pass);

    /// <summary>
    /// Whether this activation holds a layer: false for a fresh activation made after the one holding the layer was
    /// lost with its silo (the coordinator's test that a failure was a lost layer and the run can resume).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> IsInitializedAsync();

    /// <summary>The layer's learning signal: its relative change from initialisation and its non-zero updates so far.</summary>
    Task<LayerLearning> MeasureLearningAsync();

    /// <summary>W_ℓ (N_out × N_in), for checks and checkpoints.</summary>
    Task<TensorPayload> GetWeightsAsync();

    /// <summary>The silo hosting this activation, as "host:port".</summary>
    Task<string> GetSiloAsync();

    /// <summary>Releases the layer's memory; the activation goes away.</summary>
    Task ReleaseAsync();

    /// <summary>
    /// Inbox, from another silo: z_{ℓ−1} from the layer below (for layer 1 during an evaluation, x from the
    /// coordinator). One-way: the sender goes on at once; a message for the wrong batch or step fails the layer's batch.
    /// </summary>
    [OneWay]
    [AlwaysInterleave]
    Task DeliverActivityAsync(ActivityMessage message);

    /// <summary>Inbox, from another silo: feedback (and error, with a skip) from the layer above.</summary>
    [OneWay]
    [AlwaysInterleave]
    Task DeliverFeedbackAsync(FeedbackMessage message);
}
