namespace Pcn.Grains.Persistence;

/// <summary>
/// Where this silo's layers write checkpoints: the same directory, seen by every silo of the cluster (a shared file
/// system when silos run on several machines), since a layer may be restored on another silo than the one that saved it.
/// </summary>
/// <param name="Root">The directory; each run gets <c>{Root}/{run}/checkpoint-NNNNNN/</c>.</param>
/// <param name="Keep">How many complete checkpoints of a run are kept (older ones are deleted).</param>
/// <param name="ResumeInterruptedRuns">
/// A cluster's silos resume, by themselves, a run found training in storage whose coordinator went away. The
/// embedded silo of `pcn` does not: a run it finds there was cut off with the process that hosted it, and it is marked
/// failed until the user resumes it (`pcn train --resume`), so that `pcn status` never starts training in the background.
/// </param>
public sealed record CheckpointSettings(string Root, int Keep = 2, bool ResumeInterruptedRuns = true);
