using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Coordination;

/// <summary>
/// A run as grain storage keeps it: written when the run starts, at every checkpoint, when it ends, and cleared when
/// it is dropped. While the run trains, its progress is that of the last checkpoint, so a coordinator that comes back
/// after its silo died resumes exactly there.
/// </summary>
[GenerateSerializer]
[Alias("pcn.run-record")]
internal sealed class RunRecord
{
    /// <summary>The run's definition; null when no run has this id.</summary>
    [Id(0)]
    public RunRequest? Request { get; set; }

    /// <summary>Its state.</summary>
    [Id(1)]
    public RunState State { get; set; }

    /// <summary>Why it failed or diverged.</summary>
    [Id(2)]
    public string? Failure { get; set; }

    /// <summary>Batches trained: those of the last checkpoint while running, all of them once finished.</summary>
    [Id(3)]
    public int Batches { get; set; }

    /// <summary>Per-batch summaries up to <see cref="Batches"/>.</summary>
    [Id(4)]
    public List<BatchSummary> Summaries { get; set; } = [];

    /// <summary>Evaluations run up to <see cref="Batches"/> (their pass ids continue from here).</summary>
    [Id(5)]
    public int Evaluations { get; set; }

    /// <summary>Failures survived and resumes.</summary>
    [Id(6)]
    public List<RunEvent> Events { get; set; } = [];

    /// <summary>The last complete checkpoint's batch (0: none).</summary>
    [Id(7)]
    public int CheckpointBatch { get; set; }

    /// <summary>The last complete checkpoint's layer files.</summary>
    [Id(8)]
    public List<CheckpointPart> CheckpointParts { get; set; } = [];

    /// <summary>Seconds of training (evaluations included) and of evaluation, up to <see cref="Batches"/>.</summary>
    [Id(9)]
    public double ElapsedSeconds { get; set; }

    /// <summary>Seconds of evaluation.</summary>
    [Id(10)]
    public double EvaluationSeconds { get; set; }

    /// <summary>Seconds of set-up (data set, layers).</summary>
    [Id(11)]
    public double SetupSeconds { get; set; }

    /// <summary>Batches the run trains in all.</summary>
    [Id(13)]
    public int TotalBatches { get; set; }

    /// <summary>Messages counted.</summary>
    [Id(12)]
    public ProtocolCounts Protocol { get; set; } = ProtocolCounts.Zero;
}
