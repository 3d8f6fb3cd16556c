namespace Pcn.Abstractions.Messages;

/// <summary>Where a run's time went, as its coordinator measured it.</summary>
/// <param name="SetupSeconds">From the start request to the first batch: data set, layer grains and their weights.</param>
/// <param name="TrainingSeconds">Training batches, evaluations excluded.</param>
/// <param name="EvaluationSeconds">Test-set evaluations during the run.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.run-timings")]
public sealed record RunTimings([property: Id(0)] double SetupSeconds, [property: Id(1)] double TrainingSeconds, [property: Id(2)] double EvaluationSeconds)
{
    /// <summary>Nothing measured yet.</summary>
    public static RunTimings Zero { get; } = new(0, 0, 0);
}
