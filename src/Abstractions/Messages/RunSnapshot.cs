namespace Pcn.Abstractions.Messages;

/// <summary>A run's state and the batch summaries after a given batch, for progress displays and results files.</summary>
/// <param name="Request">The run's definition.</param>
/// <param name="State">Its state.</param>
/// <param name="Batches">Batches trained so far.</param>
/// <param name="TotalBatches">Batches it will train in all.</param>
/// <param name="Summaries">Summaries of the batches after the one the caller asked from.</param>
/// <param name="Failure">Why it diverged or failed, naming layer and step where it applies.</param>
/// <param name="ElapsedSeconds">Time since the first batch started, evaluations included.</param>
/// <param name="Timings">Set-up, training and evaluation time.</param>
/// <param name="Protocol">Messages the training batches took, counted.</param>
/// <param name="Events">Failures the run survived and its resumes, oldest first.</param>
/// <param name="CheckpointBatch">The batch of the last complete checkpoint (0: none yet).</param>
/// <param name="CoordinatorSilo">The silo hosting the run's coordinator, "host:port".</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.run-snapshot")]
public sealed record RunSnapshot(
    [property: Id(0)] RunRequest Request,
    [property: Id(1)] RunState State,
    [property: Id(2)] int Batches,
    [property: Id(3)] int TotalBatches,
    [property: Id(4)] IReadOnlyList<BatchSummary> Summaries,
    [property: Id(5)] string? Failure,
    [property: Id(6)] double ElapsedSeconds,
    [property: Id(7)] RunTimings Timings,
    [property: Id(8)] ProtocolCounts Protocol,
    [property: Id(9)] IReadOnlyList<RunEvent> Events,
    [property: Id(10)] int CheckpointBatch,
    [property: Id(11)] string CoordinatorSilo)
{
    /// <summary>True once the run can make no more progress.</summary>
    public bool IsFinished => State is RunState.Completed or RunState.Diverged or RunState.Cancelled or RunState.Failed;
}
