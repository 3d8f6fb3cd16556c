namespace Pcn.Abstractions.Messages;

/// <summary>Something that happened to a run besides its batches: a checkpoint, a failure it survived, a resume.</summary>
/// <param name="Time">When (UTC).</param>
/// <param name="Batch">Batches trained at that moment.</param>
/// <param name="Kind">"failure", "resume" or "restart".</param>
/// <param name="Message">What happened, naming the layer or silo.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.run-event")]
public sealed record RunEvent([property: Id(0)] DateTimeOffset Time, [property: Id(1)] int Batch, [property: Id(2)] string Kind, [property: Id(3)] string Message);
