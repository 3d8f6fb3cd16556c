using Orleans.Concurrency;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>
/// Runs one training run, keyed by run id: reads batches and drives the layer grains through the dataflow schedule —
/// per batch one command to each layer (carrying the previous batch's weight update), one report back from each, a
/// divergence check in the single-process trainer's order — and records summaries. It only sends commands and
/// receives energies; weights never pass through it.
/// </summary>
public interface ITrainingCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Validates the request and starts training in the background; returns the first snapshot.</summary>
    Task<RunSnapshot> StartAsync(RunRequest request);

    /// <summary>The run's state, with the summaries of batches after <paramref name="afterBatch"/>.</summary>
    [AlwaysInterleave]
    Task<RunSnapshot> GetSnapshotAsync(int afterBatch);

    /// <summary>Asks the run to stop after the current batch; it ends as cancelled.</summary>
    [AlwaysInterleave]
    Task CancelAsync();

    /// <summary>Test accuracy (percent) of the run's current weights; only when the run is not training.</summary>
    Task<double> EvaluateAsync();

    /// <summary>Where each layer lives: ℓ → "host:port" of its silo.</summary>
    Task<IReadOnlyList<string>> GetPlacementAsync();

    /// <summary>
    /// Continues a run that stopped before its end (cancelled, failed, or cut off by a cluster restart) from its last
    /// checkpoint; a run that is training already is left as it is. Returns the snapshot after the resume started.
    /// </summary>
    Task<RunSnapshot> ResumeAsync();

    /// <summary>
    /// Forgets a finished run: its layer grains release their memory, its metric series leave /metrics on every silo,
    /// its stored state and the registry's entry are removed, and its checkpoints are deleted unless
    /// <paramref name="keepCheckpoints"/>.
    /// </summary>
    Task DropAsync(bool keepCheckpoints);

    /// <summary>W_ℓ as trained (for checks against the single-process trainer).</summary>
    Task<TensorPayload> GetWeightsAsync(int layer);
}
